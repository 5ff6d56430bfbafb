/**
 * Finds the weight files of a model folder in Hub layout (one `model.safetensors`, or shards listed
 * by `model.safetensors.index.json`) and reads tensors from them by name, whichever file holds them.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import {
  formatCount,
  readSafetensorsHeader,
  readSafetensorsTensors,
  type FloatTensor,
  type SafetensorsHeader,
  type SafetensorsTensorInfo,
} from './safetensors';

export const SAFETENSORS_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

export interface WeightFiles {
  /** For messages: "model.safetensors" or "model.safetensors.index.json (3 shards)". */
  description: string;
  /** Every tensor in the checkpoint, with the header of the file that holds it. */
  tensors: Map<string, { info: SafetensorsTensorInfo; file: SafetensorsHeader }>;
  /** Reads the named tensors as float32. */
  read(names: Iterable<string>): Promise<Map<string, FloatTensor>>;
}

/** Weight formats this project cannot read, with what the user can do about each. */
const UNREADABLE_FORMATS: readonly { file: string; advice: string }[] = [
  { file: 'pytorch_model.bin', advice: 'PyTorch pickle weights (pytorch_model.bin) cannot be read' },
  { file: 'pytorch_model.bin.index.json', advice: 'sharded PyTorch pickle weights (pytorch_model-*.bin) cannot be read' },
  { file: 'tf_model.h5', advice: 'TensorFlow Keras weights (tf_model.h5) cannot be read' },
  { file: 'flax_model.msgpack', advice: 'Flax weights (flax_model.msgpack) cannot be read' },
  { file: 'model.onnx', advice: 'ONNX models (model.onnx) cannot be read' },
];

const CONVERSION_HINT =
  'convert them to safetensors with Python transformers: ' +
  'AutoModelForQuestionAnswering.from_pretrained(DIR).save_pretrained(OUT, safe_serialization=True), ' +
  'then copy the tokenizer files (or call tokenizer.save_pretrained(OUT))';

export async function openWeightFiles(modelDir: string): Promise<WeightFiles> {
  const single = path.join(modelDir, SAFETENSORS_FILE);
  if (await isFile(single)) return openSingle(single);
  const index = path.join(modelDir, SAFETENSORS_INDEX_FILE);
  if (await isFile(index)) return openSharded(modelDir, index);

  for (const format of UNREADABLE_FORMATS) {
    if (await isFile(path.join(modelDir, format.file))) {
      throw new UserError(`${modelDir} has no ${SAFETENSORS_FILE}: ${format.advice}; ${CONVERSION_HINT}`);
    }
  }
  throw new UserError(`no model weights in ${modelDir}: expected ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE}`);
}

async function openSingle(filePath: string): Promise<WeightFiles> {
  const header = await readSafetensorsHeader(filePath);
  const tensors = new Map([...header.tensors].map(([name, info]) => [name, { info, file: header }]));
  return {
    description: header.label,
    tensors,
    read: (names) => readSafetensorsTensors(header, names),
  };
}

async function openSharded(modelDir: string, indexPath: string): Promise<WeightFiles> {
  const weightMap = await readWeightMap(indexPath);
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of weightMap) {
    const list = byShard.get(shard) ?? [];
    list.push(tensor);
    byShard.set(shard, list);
  }

  const tensors = new Map<string, { info: SafetensorsTensorInfo; file: SafetensorsHeader }>();
  for (const [shard, names] of byShard) {
    const shardPath = path.join(modelDir, shard);
    if (path.dirname(path.resolve(shardPath)) !== path.resolve(modelDir)) {
      throw new UserError(`${SAFETENSORS_INDEX_FILE} names a shard outside the model folder: ${JSON.stringify(shard)}`);
    }
    if (!(await isFile(shardPath))) {
      throw new UserError(
        `${SAFETENSORS_INDEX_FILE} lists shard ${shard} (${formatCount(names.length)} tensors, e.g. ${names[0]}) ` +
          `but it is missing from ${modelDir}`,
      );
    }
    const header = await readSafetensorsHeader(shardPath);
    for (const name of names) {
      const info = header.tensors.get(name);
      if (!info) throw new UserError(`${SAFETENSORS_INDEX_FILE} says tensor "${name}" is in ${shard}, but ${shard} has no such tensor`);
      tensors.set(name, { info, file: header });
    }
  }

  return {
    description: `${SAFETENSORS_INDEX_FILE} (${byShard.size} shard${byShard.size === 1 ? '' : 's'})`,
    tensors,
    async read(names) {
      const wanted = new Map<SafetensorsHeader, string[]>();
      for (const name of names) {
        const entry = tensors.get(name);
        if (!entry) throw new UserError(`${SAFETENSORS_INDEX_FILE} has no tensor "${name}"`);
        const list = wanted.get(entry.file) ?? [];
        list.push(name);
        wanted.set(entry.file, list);
      }
      const out = new Map<string, FloatTensor>();
      for (const [header, list] of wanted) {
        for (const [name, tensor] of await readSafetensorsTensors(header, list)) out.set(name, tensor);
      }
      return out;
    },
  };
}

async function readWeightMap(indexPath: string): Promise<Map<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(indexPath, 'utf8'));
  } catch (error) {
    throw new UserError(`${SAFETENSORS_INDEX_FILE} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const weightMap = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new UserError(`${SAFETENSORS_INDEX_FILE} has no "weight_map" object (tensor name → shard file)`);
  }
  const out = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '') {
      throw new UserError(`${SAFETENSORS_INDEX_FILE}: weight_map entry for "${tensor}" is not a file name`);
    }
    out.set(tensor, shard);
  }
  if (out.size === 0) throw new UserError(`${SAFETENSORS_INDEX_FILE} has an empty "weight_map"`);
  return out;
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

/**
 * Loads a Hugging Face model folder (config.json + safetensors weights) into float32 tensors under
 * normalised names (see parameters.ts), after checking that the weights are exactly what the config
 * describes.
 */
import { promises as fs } from 'node:fs';
import { UserError } from '../errors';
import { readModelConfig, type ModelConfig } from './config';
import {
  QA_HEAD_NAMES,
  describeExpectedShape,
  formatShape,
  hubPrefix,
  layerIndexOf,
  normaliseName,
  parameterSpecs,
  type ParameterSpec,
} from './parameters';
import type { FloatTensor } from './safetensors';
import { openWeightFiles, type WeightFiles } from './weight-files';

export { saveCheckpoint, type SaveCheckpointOptions, type QaArchitecture } from './save';

export interface CheckpointWeights {
  config: ModelConfig;
  /** Every parameter of the QA model by normalised name; the QA head only when the file has one. */
  tensors: Map<string, FloatTensor>;
  /** Notes for the user: ignored tensors, converted dtypes, a missing QA head. */
  warnings: string[];
  /** True when the checkpoint has no qa_outputs: the caller draws a new head from N(0, initializerRange). */
  missingQaHead: boolean;
  /** Which weight files were read, for messages ("model.safetensors"). */
  weightsSource: string;
}

/** How many names a message lists before "and N more". */
const LIST_LIMIT = 5;

export async function loadCheckpointWeights(modelDir: string): Promise<CheckpointWeights> {
  await checkFolder(modelDir);
  const warnings: string[] = [];
  const config = await readModelConfig(modelDir, warnings);
  const files = await openWeightFiles(modelDir);
  const byNormalised = normaliseFileNames(files, config);
  const specs = parameterSpecs(config);

  checkLayerCount(config, byNormalised, files.description);
  const { present, missingQaHead } = checkPresence(specs, byNormalised, files.description);
  checkShapes(present, byNormalised, files);
  noteIgnored(specs, byNormalised, warnings);
  if (missingQaHead) {
    warnings.push(
      `${files.description} has no question-answering head (qa_outputs.weight, qa_outputs.bias)` +
        `${config.architectures.length > 0 ? `: it is a ${config.architectures.join('/')} checkpoint` : ''}; ` +
        `a new head is drawn from N(0, ${config.initializerRange}) and must be fine-tuned before its answers mean anything`,
    );
  }

  const fileNames = present.map((spec) => byNormalised.get(spec.name)!);
  noteConversions(fileNames, files, warnings);
  const read = await files.read(fileNames);
  const tensors = new Map<string, FloatTensor>();
  for (const spec of present) tensors.set(spec.name, read.get(byNormalised.get(spec.name)!)!);
  checkFinite(present, byNormalised, tensors, files.description);
  return { config, tensors, warnings, missingQaHead, weightsSource: files.description };
}

async function checkFolder(modelDir: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await fs.stat(modelDir)).isDirectory();
  } catch (error) {
    throw new UserError(`model folder not found: ${modelDir}`, { cause: error });
  }
  if (!isDirectory) throw new UserError(`${modelDir} is a file; --model expects a folder with config.json and model.safetensors`);
}

/** Maps normalised names to names as stored; refuses files that hold another architecture's weights. */
function normaliseFileNames(files: WeightFiles, config: ModelConfig): Map<string, string> {
  const names = [...files.tensors.keys()];
  const prefix = hubPrefix(config);
  const hasPrefix = names.some((n) => n.startsWith(prefix));
  if (!hasPrefix && !names.includes('embeddings.word_embeddings.weight')) {
    const otherPrefix = ['bert.', 'distilbert.', 'electra.', 'roberta.', 'albert.', 'deberta.']
      .filter((p) => p !== prefix)
      .find((p) => names.some((n) => n.startsWith(p)));
    throw new UserError(
      `${files.description} does not hold ${config.hubModelType} weights as config.json says: ` +
        `expected ${prefix}embeddings.word_embeddings.weight` +
        (otherPrefix ? `, found ${otherPrefix}* tensors` : `; it has ${listNames(names)}`),
    );
  }
  const out = new Map<string, string>();
  for (const fileName of names) {
    const normalised = normaliseName(fileName, config, hasPrefix);
    const clash = out.get(normalised);
    if (clash !== undefined) {
      throw new UserError(`${files.description} holds both ${clash} and ${fileName}, which name the same parameter`);
    }
    out.set(normalised, fileName);
  }
  return out;
}

/** A config that asks for more or fewer layers than the file holds is a contradiction, not a detail. */
function checkLayerCount(config: ModelConfig, byNormalised: Map<string, string>, source: string): void {
  const indices = new Set<number>();
  for (const name of byNormalised.keys()) {
    const index = layerIndexOf(name);
    if (index !== undefined) indices.add(index);
  }
  const count = indices.size === 0 ? 0 : Math.max(...indices) + 1;
  if (count !== config.numHiddenLayers) {
    const key = config.modelType === 'distilbert' ? 'n_layers' : 'num_hidden_layers';
    const held = count === 0 ? 'no encoder layers' : `weights for ${count} layer${count === 1 ? '' : 's'} (0–${count - 1})`;
    throw new UserError(`config.json says ${key} ${config.numHiddenLayers} but ${source} has ${held}`);
  }
}

function checkPresence(
  specs: ParameterSpec[],
  byNormalised: Map<string, string>,
  source: string,
): { present: ParameterSpec[]; missingQaHead: boolean } {
  const missing = specs.filter((s) => !s.qaHead && !byNormalised.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new UserError(`${source} lacks ${missing.length} tensor${missing.length === 1 ? '' : 's'} that config.json implies: ${listNames(missing)}`);
  }
  const headPresent = QA_HEAD_NAMES.filter((n) => byNormalised.has(n));
  if (headPresent.length === 1) {
    const absent = QA_HEAD_NAMES.find((n) => !byNormalised.has(n))!;
    throw new UserError(`${source} has ${headPresent[0]} but not ${absent}; the question-answering head is incomplete`);
  }
  const missingQaHead = headPresent.length === 0;
  return { present: specs.filter((s) => !(s.qaHead && missingQaHead)), missingQaHead };
}

function checkShapes(present: ParameterSpec[], byNormalised: Map<string, string>, files: WeightFiles): void {
  for (const spec of present) {
    const fileName = byNormalised.get(spec.name)!;
    const actual = files.tensors.get(fileName)!.info.shape;
    const same = actual.length === spec.shape.length && actual.every((d, i) => d === spec.shape[i]);
    if (!same) throw new UserError(`${fileName} has shape ${formatShape(actual)} but ${describeExpectedShape(spec)}`);
  }
}

/** NaN or ±Infinity in a weight makes every output garbage: refuse the checkpoint, naming the tensor. */
function checkFinite(present: ParameterSpec[], byNormalised: Map<string, string>, tensors: Map<string, FloatTensor>, source: string): void {
  for (const spec of present) {
    const data = tensors.get(spec.name)!.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const bad = data.filter((x) => !Number.isFinite(x)).length;
        throw new UserError(
          `${byNormalised.get(spec.name)} in ${source} holds ${data[i]} (element ${i}; ${bad} of ${data.length} values are not finite): ` +
            'the checkpoint is corrupt or was saved from a run that diverged',
        );
      }
    }
  }
}

function noteIgnored(specs: ParameterSpec[], byNormalised: Map<string, string>, warnings: string[]): void {
  const used = new Set(specs.map((s) => s.name));
  const ignored = [...byNormalised].filter(([normalised]) => !used.has(normalised)).map(([, fileName]) => fileName);
  if (ignored.length > 0) {
    warnings.push(
      `ignored ${ignored.length} tensor${ignored.length === 1 ? '' : 's'} that question answering does not use ` +
        `(pooler, pre-training or other task heads, buffers): ${listNames(ignored)}`,
    );
  }
}

function noteConversions(fileNames: string[], files: WeightFiles, warnings: string[]): void {
  const counts = new Map<string, number>();
  for (const name of fileNames) {
    const dtype = files.tensors.get(name)!.info.dtype;
    if (dtype !== 'F32') counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  for (const [dtype, count] of counts) {
    warnings.push(`${count} tensor${count === 1 ? '' : 's'} stored as ${dtype} were converted to float32`);
  }
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LIST_LIMIT).join(', ');
  return names.length > LIST_LIMIT ? `${shown} and ${names.length - LIST_LIMIT} more` : shown;
}

/**
 * Writes a question-answering checkpoint in Hub layout (config.json + model.safetensors) that Python
 * `transformers` loads with `AutoModelForQuestionAnswering.from_pretrained`, and that never appears
 * half-written: the files are staged in a private folder and moved into place by rename.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { tempSiblingPath, writeFileAtomic } from '../fs/atomic';
import { CONFIG_FILE, modelConfigToJson, type HubModelType, type ModelConfig } from './config';
import { formatShape, hubName, parameterSpecs } from './parameters';
import { writeSafetensors, type FloatTensor, type NamedTensor } from './safetensors';
import { SAFETENSORS_FILE } from './weight-files';

export type QaArchitecture = 'BertForQuestionAnswering' | 'DistilBertForQuestionAnswering' | 'ElectraForQuestionAnswering';

const ARCHITECTURE_OF: Record<HubModelType, QaArchitecture> = {
  bert: 'BertForQuestionAnswering',
  distilbert: 'DistilBertForQuestionAnswering',
  electra: 'ElectraForQuestionAnswering',
};

export interface SaveCheckpointOptions {
  config: ModelConfig;
  /** Every parameter by normalised name, QA head included (as returned by loadCheckpointWeights). */
  tensors: ReadonlyMap<string, FloatTensor>;
  /** Defaults to the QA class of the config's model_type; must agree with it. */
  architecture?: QaArchitecture;
  /**
   * Called with the staging folder before it is moved into place, to add files that must appear
   * together with the weights (the tokenizer files). Plain files only.
   */
  addFiles?: (stagingDir: string) => Promise<void>;
}

/**
 * Saves the checkpoint to `outDir`. A missing or empty `outDir` appears complete in one rename; in an
 * existing folder each file is replaced by rename, config.json last, and other files are left alone.
 */
export async function saveCheckpoint(outDir: string, options: SaveCheckpointOptions): Promise<{ files: string[] }> {
  const { config } = options;
  const architecture = options.architecture ?? ARCHITECTURE_OF[config.hubModelType];
  if (architecture !== ARCHITECTURE_OF[config.hubModelType]) {
    throw new Error(`saveCheckpoint: architecture ${architecture} does not match model_type ${config.hubModelType}`);
  }
  const named = orderedTensors(config, options.tensors);
  const configText = `${JSON.stringify(modelConfigToJson(config, architecture), null, 2)}\n`;

  const target = path.resolve(outDir);
  const existing = await listFolder(target);
  const replaceWhole = existing === undefined || existing.length === 0;
  if (replaceWhole) await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = replaceWhole ? tempSiblingPath(target, 'staging') : path.join(target, tempBaseName());
  await fs.mkdir(staging);
  try {
    await writeSafetensors(path.join(staging, SAFETENSORS_FILE), named);
    await writeFileAtomic(path.join(staging, CONFIG_FILE), configText);
    if (options.addFiles) await options.addFiles(staging);
    const files = await fs.readdir(staging);
    if (replaceWhole) {
      if (existing !== undefined) await fs.rmdir(target);
      await fs.rename(staging, target);
    } else {
      // config.json goes last: a reader that sees the new config also sees the new weights.
      const ordered = [...files.filter((f) => f !== CONFIG_FILE), CONFIG_FILE];
      for (const file of ordered) await fs.rename(path.join(staging, file), path.join(target, file));
      await fs.rmdir(staging);
    }
    return { files: files.map((f) => path.join(target, f)).sort() };
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** The tensors under their Hub names, checked against the config: exactly the QA model's parameters. */
function orderedTensors(config: ModelConfig, tensors: ReadonlyMap<string, FloatTensor>): NamedTensor[] {
  const specs = parameterSpecs(config);
  const known = new Set(specs.map((s) => s.name));
  const unknown = [...tensors.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`saveCheckpoint: tensors the ${config.modelType} QA model does not have: ${unknown.join(', ')}`);
  return specs.map((spec) => {
    const tensor = tensors.get(spec.name);
    if (!tensor) throw new Error(`saveCheckpoint: tensor ${spec.name} is missing`);
    const same = tensor.shape.length === spec.shape.length && tensor.shape.every((d, i) => d === spec.shape[i]);
    if (!same) throw new Error(`saveCheckpoint: ${spec.name} has shape ${formatShape(tensor.shape)}, the config implies ${formatShape(spec.shape)}`);
    return { name: hubName(spec.name, config), shape: tensor.shape, data: tensor.data };
  });
}

async function listFolder(folder: string): Promise<string[] | undefined> {
  let stat;
  try {
    stat = await fs.stat(folder);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) throw new UserError(`cannot save a model to ${folder}: it is a file, not a folder`);
  return fs.readdir(folder);
}

function tempBaseName(): string {
  return path.basename(tempSiblingPath('staging', 'spantune'));
}

/**
 * The parameters of each supported architecture, by their normalised Hugging Face names, with the
 * shapes the config implies; and the mapping between names as stored in a file and normalised names.
 *
 * Normalised names are those of `BertForQuestionAnswering` / `DistilBertForQuestionAnswering`:
 * always with the `bert.` / `distilbert.` prefix (base-model files lack it), `weight`/`bias` for
 * LayerNorm (TensorFlow-era files say `gamma`/`beta`), and `bert.` for ELECTRA (`electra.` in files),
 * whose only extra is the optional `bert.embeddings_project`.
 */
import { configKeyFor, hasEmbeddingProjection, type ModelConfig } from './config';

/** One dimension of an expected shape, with the config.json key it comes from (none for constants). */
export interface DimSource {
  value: number;
  key?: string;
}

export interface ParameterSpec {
  name: string;
  shape: number[];
  dims: DimSource[];
  /** The QA head: when absent from a checkpoint, the caller draws a new one. */
  qaHead: boolean;
}

const QA_WEIGHT = 'qa_outputs.weight';
const QA_BIAS = 'qa_outputs.bias';
export const QA_HEAD_NAMES: readonly string[] = [QA_WEIGHT, QA_BIAS];

/** The prefix of encoder tensors in normalised names. */
export function modelPrefix(config: Pick<ModelConfig, 'modelType'>): 'bert.' | 'distilbert.' {
  return config.modelType === 'distilbert' ? 'distilbert.' : 'bert.';
}

/** The prefix of encoder tensors in files of this model_type. */
export function hubPrefix(config: Pick<ModelConfig, 'hubModelType'>): string {
  return `${config.hubModelType}.`;
}

/** Every parameter of the QA model `config` describes, in a fixed order (embeddings, layers, head). */
export function parameterSpecs(config: ModelConfig): ParameterSpec[] {
  const dim = (field: Parameters<typeof configKeyFor>[1]): DimSource => ({
    value: config[field],
    key: configKeyFor(config, field),
  });
  const H = dim('hiddenSize');
  const E = dim('embeddingSize');
  const I = dim('intermediateSize');
  const specs: ParameterSpec[] = [];
  const add = (name: string, dims: DimSource[], qaHead = false): void => {
    specs.push({ name, shape: dims.map((d) => d.value), dims, qaHead });
  };
  const linear = (name: string, out: DimSource, inp: DimSource): void => {
    add(`${name}.weight`, [out, inp]);
    add(`${name}.bias`, [out]);
  };
  const layerNorm = (name: string, width: DimSource): void => {
    add(`${name}.weight`, [width]);
    add(`${name}.bias`, [width]);
  };

  const p = modelPrefix(config);
  add(`${p}embeddings.word_embeddings.weight`, [dim('vocabSize'), E]);
  add(`${p}embeddings.position_embeddings.weight`, [dim('maxPositionEmbeddings'), E]);
  if (config.modelType === 'bert') add(`${p}embeddings.token_type_embeddings.weight`, [dim('typeVocabSize'), E]);
  layerNorm(`${p}embeddings.LayerNorm`, E);
  if (hasEmbeddingProjection(config)) linear(`${p}embeddings_project`, H, E);

  for (let i = 0; i < config.numHiddenLayers; i++) {
    if (config.modelType === 'bert') {
      const l = `${p}encoder.layer.${i}`;
      linear(`${l}.attention.self.query`, H, H);
      linear(`${l}.attention.self.key`, H, H);
      linear(`${l}.attention.self.value`, H, H);
      linear(`${l}.attention.output.dense`, H, H);
      layerNorm(`${l}.attention.output.LayerNorm`, H);
      linear(`${l}.intermediate.dense`, I, H);
      linear(`${l}.output.dense`, H, I);
      layerNorm(`${l}.output.LayerNorm`, H);
    } else {
      const l = `${p}transformer.layer.${i}`;
      linear(`${l}.attention.q_lin`, H, H);
      linear(`${l}.attention.k_lin`, H, H);
      linear(`${l}.attention.v_lin`, H, H);
      linear(`${l}.attention.out_lin`, H, H);
      layerNorm(`${l}.sa_layer_norm`, H);
      linear(`${l}.ffn.lin1`, I, H);
      linear(`${l}.ffn.lin2`, H, I);
      layerNorm(`${l}.output_layer_norm`, H);
    }
  }

  add(QA_WEIGHT, [{ value: 2 }, H], true);
  add(QA_BIAS, [{ value: 2 }], true);
  return specs;
}

/** The encoder layer index of a normalised name, or undefined for non-layer tensors. */
export function layerIndexOf(name: string): number | undefined {
  const match = /^(?:bert\.encoder|distilbert\.transformer)\.layer\.(\d+)\./.exec(name);
  return match ? Number(match[1]) : undefined;
}

/**
 * The normalised name of a tensor as stored in a file. `hasPrefix` tells whether the file uses the
 * model prefix (a task-model checkpoint) or not (a bare base model).
 */
export function normaliseName(fileName: string, config: ModelConfig, hasPrefix: boolean): string {
  let name = fileName;
  const hub = hubPrefix(config);
  const internal = modelPrefix(config);
  if (name.startsWith(hub)) name = internal + name.slice(hub.length);
  else if (!hasPrefix && !QA_HEAD_NAMES.includes(name)) name = internal + name;
  if (name.endsWith('.gamma')) name = `${name.slice(0, -'.gamma'.length)}.weight`;
  else if (name.endsWith('.beta')) name = `${name.slice(0, -'.beta'.length)}.bias`;
  return name;
}

/** The name under which a normalised tensor is written for this model_type. */
export function hubName(name: string, config: ModelConfig): string {
  const internal = modelPrefix(config);
  return name.startsWith(internal) ? hubPrefix(config) + name.slice(internal.length) : name;
}

/** "[64, 32]" */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** "config.json (intermediate_size 64, hidden_size 32) implies [64, 32]" */
export function describeExpectedShape(spec: ParameterSpec): string {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const d of spec.dims) {
    if (d.key && !seen.has(d.key)) {
      seen.add(d.key);
      keys.push(`${d.key} ${d.value}`);
    }
  }
  const source = keys.length > 0 ? `config.json (${keys.join(', ')})` : 'the architecture';
  return `${source} implies ${formatShape(spec.shape)}`;
}

/**
 * config.json of a Hugging Face checkpoint, normalised into one `ModelConfig` for the architectures
 * SpanTune computes: BERT (and models with BERT's layout: MiniLM, ELECTRA discriminators) and
 * DistilBERT. Missing keys take the defaults of the corresponding `transformers` config class, as
 * `from_pretrained` does; anything SpanTune would compute differently from Hugging Face is refused.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';

/** The network SpanTune builds: BERT's layer layout or DistilBERT's. */
export type ModelType = 'bert' | 'distilbert';
/** The `model_type` of the checkpoint; it decides tensor names and config keys when writing back. */
export type HubModelType = 'bert' | 'distilbert' | 'electra';
/** 'gelu' is the exact (erf) GELU; 'gelu_new' the tanh approximation (gelu_new, gelu_pytorch_tanh, gelu_fast). */
export type HiddenAct = 'gelu' | 'gelu_new' | 'relu';

export interface ModelConfig {
  modelType: ModelType;
  hubModelType: HubModelType;
  architectures: string[];
  vocabSize: number;
  hiddenSize: number;
  /**
   * Width of the embedding tables. Equal to hiddenSize except for ELECTRA checkpoints with a
   * different `embedding_size`; those have a projection `bert.embeddings_project` [hiddenSize,
   * embeddingSize] applied after the embedding LayerNorm (see `hasEmbeddingProjection`).
   */
  embeddingSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: HiddenAct;
  maxPositionEmbeddings: number;
  /** 0 for DistilBERT, which has no token type embeddings. */
  typeVocabSize: number;
  /** DistilBERT fixes it at 1e-12. */
  layerNormEps: number;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Dropout before qa_outputs: DistilBERT's qa_dropout; 0 for BERT and ELECTRA, which have none there. */
  qaDropout: number;
  padTokenId: number;
  /** Standard deviation for freshly drawn weights (a new QA head). */
  initializerRange: number;
  /** DistilBERT only; the (fixed) sinusoidal table is still stored as position_embeddings. */
  sinusoidalPosEmbds: boolean;
  positionEmbeddingType: 'absolute';
  /** The config.json object as read; written back with the fields above updated. */
  raw: Record<string, unknown>;
}

export const CONFIG_FILE = 'config.json';

/** Size fields and the config.json key that holds each, per model_type, with transformers' defaults. */
type SizeField =
  | 'vocabSize'
  | 'hiddenSize'
  | 'embeddingSize'
  | 'numHiddenLayers'
  | 'numAttentionHeads'
  | 'intermediateSize'
  | 'maxPositionEmbeddings'
  | 'typeVocabSize';

type KeyTable = Record<SizeField, { key: string; fallback: number } | { fixed: number }>;

const BERT_KEYS: KeyTable = {
  vocabSize: { key: 'vocab_size', fallback: 30522 },
  hiddenSize: { key: 'hidden_size', fallback: 768 },
  embeddingSize: { key: 'hidden_size', fallback: 768 },
  numHiddenLayers: { key: 'num_hidden_layers', fallback: 12 },
  numAttentionHeads: { key: 'num_attention_heads', fallback: 12 },
  intermediateSize: { key: 'intermediate_size', fallback: 3072 },
  maxPositionEmbeddings: { key: 'max_position_embeddings', fallback: 512 },
  typeVocabSize: { key: 'type_vocab_size', fallback: 2 },
};

const ELECTRA_KEYS: KeyTable = {
  ...BERT_KEYS,
  embeddingSize: { key: 'embedding_size', fallback: 128 },
  hiddenSize: { key: 'hidden_size', fallback: 256 },
  numAttentionHeads: { key: 'num_attention_heads', fallback: 4 },
  intermediateSize: { key: 'intermediate_size', fallback: 1024 },
};

const DISTILBERT_KEYS: KeyTable = {
  vocabSize: { key: 'vocab_size', fallback: 30522 },
  hiddenSize: { key: 'dim', fallback: 768 },
  embeddingSize: { key: 'dim', fallback: 768 },
  numHiddenLayers: { key: 'n_layers', fallback: 6 },
  numAttentionHeads: { key: 'n_heads', fallback: 12 },
  intermediateSize: { key: 'hidden_dim', fallback: 3072 },
  maxPositionEmbeddings: { key: 'max_position_embeddings', fallback: 512 },
  typeVocabSize: { fixed: 0 },
};

const KEY_TABLES: Record<HubModelType, KeyTable> = { bert: BERT_KEYS, electra: ELECTRA_KEYS, distilbert: DISTILBERT_KEYS };

/** The config.json key behind a size field (for messages such as "intermediate_size 64"). */
export function configKeyFor(config: Pick<ModelConfig, 'hubModelType'>, field: SizeField): string | undefined {
  const entry = KEY_TABLES[config.hubModelType][field];
  return 'key' in entry ? entry.key : undefined;
}

export function hasEmbeddingProjection(config: Pick<ModelConfig, 'embeddingSize' | 'hiddenSize'>): boolean {
  return config.embeddingSize !== config.hiddenSize;
}

const ACTIVATIONS: Record<string, HiddenAct> = {
  gelu: 'gelu',
  gelu_python: 'gelu',
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
  relu: 'relu',
};

/** Why well-known architectures that are not BERT-shaped are refused. */
const UNSUPPORTED_REASONS: Record<string, string> = {
  roberta: 'RoBERTa models use a byte-level BPE tokenizer and position ids offset by the padding index',
  'xlm-roberta': 'XLM-RoBERTa models use a SentencePiece tokenizer and RoBERTa position ids',
  camembert: 'CamemBERT models use a SentencePiece tokenizer and RoBERTa position ids',
  longformer: 'Longformer uses sliding-window attention and a byte-level BPE tokenizer',
  albert: 'ALBERT shares weights across layers and uses a SentencePiece tokenizer',
  deberta: 'DeBERTa uses disentangled relative-position attention',
  'deberta-v2': 'DeBERTa uses disentangled relative-position attention',
  mpnet: 'MPNet uses relative position buckets and a different tokenizer layout',
  xlnet: 'XLNet is a permutation language model with relative attention',
  bart: 'BART is an encoder-decoder model',
  t5: 'T5 is an encoder-decoder model',
  gpt2: 'GPT-2 is a decoder-only model',
};

const SUPPORTED_LIST = 'bert (including MiniLM and other BERT-shaped models), distilbert, electra';

export async function readModelConfig(modelDir: string, warnings: string[] = []): Promise<ModelConfig> {
  const file = path.join(modelDir, CONFIG_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${CONFIG_FILE} not found in ${modelDir}; a model folder needs config.json next to its weights`, { cause: error });
    throw new UserError(`cannot read ${file} (${code ?? String(error)})`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${CONFIG_FILE} in ${modelDir} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  return parseModelConfig(raw, warnings);
}

/** Refuses windows longer than the model's position table: their position ids would index outside it. */
export function checkMaxSeqLength(config: Pick<ModelConfig, 'maxPositionEmbeddings'>, maxSeqLength: number, modelDir: string): void {
  const positions = config.maxPositionEmbeddings;
  if (maxSeqLength > positions) {
    throw new UserError(
      `--max-seq-length ${maxSeqLength} is longer than the model's ${positions} positions (max_position_embeddings in ${path.join(modelDir, CONFIG_FILE)}): use --max-seq-length ${positions} or less`,
    );
  }
}

/** Validates and normalises a parsed config.json. Notes for the user are appended to `warnings`. */
export function parseModelConfig(raw: unknown, warnings: string[] = []): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UserError(`${CONFIG_FILE} is not a JSON object`);
  }
  const json = raw as Record<string, unknown>;
  const architectures = readArchitectures(json);
  const hubModelType = resolveModelType(json, architectures, warnings);
  const keys = KEY_TABLES[hubModelType];

  const size = (field: SizeField, minimum = 1): number => {
    const entry = keys[field];
    if ('fixed' in entry) return entry.fixed;
    return readInteger(json, entry.key, entry.fallback, minimum);
  };

  const hiddenSize = size('hiddenSize');
  const numAttentionHeads = size('numAttentionHeads');
  const headsKey = configKeyFor({ hubModelType }, 'numAttentionHeads')!;
  const hiddenKey = configKeyFor({ hubModelType }, 'hiddenSize')!;
  if (hiddenSize % numAttentionHeads !== 0) {
    throw new UserError(`${CONFIG_FILE}: ${hiddenKey} ${hiddenSize} is not divisible by ${headsKey} ${numAttentionHeads}`);
  }

  const isDistil = hubModelType === 'distilbert';
  const actKey = isDistil ? 'activation' : 'hidden_act';
  const positionEmbeddingType = readPositionEmbeddingType(json);
  if (json.is_decoder === true) {
    throw new UserError(`${CONFIG_FILE} sets is_decoder: true (causal attention); SpanTune fine-tunes bidirectional encoders only`);
  }

  return {
    modelType: isDistil ? 'distilbert' : 'bert',
    hubModelType,
    architectures,
    vocabSize: size('vocabSize'),
    hiddenSize,
    embeddingSize: size('embeddingSize'),
    numHiddenLayers: size('numHiddenLayers'),
    numAttentionHeads,
    intermediateSize: size('intermediateSize'),
    hiddenAct: readActivation(json, actKey),
    maxPositionEmbeddings: size('maxPositionEmbeddings'),
    typeVocabSize: size('typeVocabSize', 0),
    layerNormEps: isDistil ? 1e-12 : readNumber(json, 'layer_norm_eps', 1e-12, { positive: true }),
    hiddenDropoutProb: readProbability(json, isDistil ? 'dropout' : 'hidden_dropout_prob', 0.1),
    attentionProbsDropoutProb: readProbability(json, isDistil ? 'attention_dropout' : 'attention_probs_dropout_prob', 0.1),
    qaDropout: isDistil ? readProbability(json, 'qa_dropout', 0.1) : 0,
    padTokenId: json.pad_token_id === null ? 0 : readInteger(json, 'pad_token_id', 0, 0),
    initializerRange: readNumber(json, 'initializer_range', 0.02, { positive: true }),
    sinusoidalPosEmbds: isDistil ? readBoolean(json, 'sinusoidal_pos_embds', false) : false,
    positionEmbeddingType,
    raw: json,
  };
}

/**
 * The config.json object to write for `config`: the original keys kept, the normalised fields written
 * back under this model_type's keys, `architectures` and the dtype set.
 */
export function modelConfigToJson(config: ModelConfig, architecture: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config.raw };
  out.architectures = [architecture];
  out.model_type = config.hubModelType;
  const keys = KEY_TABLES[config.hubModelType];
  for (const field of Object.keys(keys) as SizeField[]) {
    const entry = keys[field];
    if ('key' in entry) out[entry.key] = config[field];
  }
  const isDistil = config.hubModelType === 'distilbert';
  const actKey = isDistil ? 'activation' : 'hidden_act';
  // Keep the original spelling (e.g. gelu_pytorch_tanh) when it means the same function.
  const rawAct = config.raw[actKey];
  if (!(typeof rawAct === 'string' && ACTIVATIONS[rawAct] === config.hiddenAct)) out[actKey] = config.hiddenAct;
  out[isDistil ? 'dropout' : 'hidden_dropout_prob'] = config.hiddenDropoutProb;
  out[isDistil ? 'attention_dropout' : 'attention_probs_dropout_prob'] = config.attentionProbsDropoutProb;
  if (isDistil) {
    out.qa_dropout = config.qaDropout;
    out.sinusoidal_pos_embds = config.sinusoidalPosEmbds;
  } else {
    out.layer_norm_eps = config.layerNormEps;
    out.position_embedding_type = config.positionEmbeddingType;
  }
  out.pad_token_id = config.padTokenId;
  out.initializer_range = config.initializerRange;
  out.torch_dtype = 'float32';
  if ('dtype' in out) out.dtype = 'float32';
  return out;
}

function readArchitectures(json: Record<string, unknown>): string[] {
  const value = json.architectures;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((a) => typeof a === 'string')) {
    throw new UserError(`${CONFIG_FILE}: "architectures" must be a list of class names, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

function resolveModelType(json: Record<string, unknown>, architectures: string[], warnings: string[]): HubModelType {
  const declared = json.model_type;
  const archText = architectures.length > 0 ? ` (architectures: ${architectures.join(', ')})` : '';
  if (declared !== undefined) {
    if (typeof declared !== 'string') throw new UserError(`${CONFIG_FILE}: "model_type" must be a string, got ${JSON.stringify(declared)}`);
    return checkSupported(declared, archText);
  }
  // Configs written before transformers 2.x have no model_type: infer it as transformers did.
  const fromArchitecture = architectures[0]?.match(/^(DistilBert|Electra|Bert|XLMRoberta|Roberta|Albert|Camembert|Longformer|DebertaV2|Deberta|MPNet|XLNet)/)?.[1];
  const inferred = fromArchitecture
    ? ({ DistilBert: 'distilbert', Electra: 'electra', Bert: 'bert', XLMRoberta: 'xlm-roberta', Roberta: 'roberta', Albert: 'albert', Camembert: 'camembert', Longformer: 'longformer', DebertaV2: 'deberta-v2', Deberta: 'deberta', MPNet: 'mpnet', XLNet: 'xlnet' } as Record<string, string>)[fromArchitecture]!
    : 'n_layers' in json && 'dim' in json
      ? 'distilbert'
      : 'num_hidden_layers' in json && 'hidden_size' in json
        ? 'bert'
        : undefined;
  if (!inferred) {
    throw new UserError(`${CONFIG_FILE} has no "model_type" and its keys match no supported architecture${archText}; supported: ${SUPPORTED_LIST}`);
  }
  const model = checkSupported(inferred, archText);
  warnings.push(`${CONFIG_FILE} has no "model_type"; read it as ${model}${archText}`);
  return model;
}

function checkSupported(modelType: string, archText: string): HubModelType {
  if (modelType === 'bert' || modelType === 'distilbert' || modelType === 'electra') return modelType;
  const reason = UNSUPPORTED_REASONS[modelType];
  throw new UserError(
    `${CONFIG_FILE} has model_type "${modelType}"${archText}, which SpanTune does not support` +
      `${reason ? ` (${reason})` : ''}; supported: ${SUPPORTED_LIST}`,
  );
}

function readActivation(json: Record<string, unknown>, key: string): HiddenAct {
  const value = json[key] ?? 'gelu';
  const act = typeof value === 'string' ? ACTIVATIONS[value] : undefined;
  if (!act) {
    throw new UserError(`${CONFIG_FILE}: ${key} ${JSON.stringify(value)} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
  }
  return act;
}

function readPositionEmbeddingType(json: Record<string, unknown>): 'absolute' {
  const value = json.position_embedding_type ?? 'absolute';
  if (value !== 'absolute') {
    throw new UserError(`${CONFIG_FILE}: position_embedding_type ${JSON.stringify(value)} is not supported; SpanTune computes absolute position embeddings only`);
  }
  return 'absolute';
}

function readInteger(json: Record<string, unknown>, key: string, fallback: number, minimum: number): number {
  const value = json[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new UserError(`${CONFIG_FILE}: ${key} must be an integer ≥ ${minimum}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readNumber(json: Record<string, unknown>, key: string, fallback: number, { positive }: { positive: boolean }): number {
  const value = json[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || (positive && value <= 0)) {
    throw new UserError(`${CONFIG_FILE}: ${key} must be a ${positive ? 'positive ' : ''}number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function readProbability(json: Record<string, unknown>, key: string, fallback: number): number {
  const value = json[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new UserError(`${CONFIG_FILE}: ${key} must be a probability in [0, 1), got ${JSON.stringify(value)}`);
  }
  return value;
}

function readBoolean(json: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = json[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new UserError(`${CONFIG_FILE}: ${key} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

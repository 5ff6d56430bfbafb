/**
 * BertForQuestionAnswering and DistilBertForQuestionAnswering as one TensorFlow.js model. Both are a
 * stack of post-LayerNorm transformer layers; they differ in tensor names, token-type embeddings and
 * DistilBERT's dropout before the QA head. Parameters keep their Hugging Face names, so checkpoints
 * go in and out unchanged; dense weights are held transposed ([in, out]) for fast matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../checkpoint/config';
import { attentionBias, selfAttention } from './attention';
import { activate, dropout, embeddingLookup, layerNorm, linear, type Activation } from './ops';

export type Architecture = 'bert' | 'distilbert';

interface Dense {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}
interface Norm {
  gamma: tf.Variable<tf.Rank.R1>;
  beta: tf.Variable<tf.Rank.R1>;
}
interface EncoderLayer {
  query: Dense;
  key: Dense;
  value: Dense;
  attentionOutput: Dense;
  attentionNorm: Norm;
  intermediate: Dense;
  output: Dense;
  outputNorm: Norm;
}

export interface QaModel {
  architecture: Architecture;
  config: ModelConfig;
  wordEmbeddings: tf.Variable<tf.Rank.R2>;
  positionEmbeddings: tf.Variable<tf.Rank.R2>;
  tokenTypeEmbeddings?: tf.Variable<tf.Rank.R2>;
  embeddingNorm: Norm;
  /** ELECTRA with embedding_size ≠ hidden_size projects its embeddings up to the hidden size. */
  embeddingProject?: Dense;
  layers: EncoderLayer[];
  qaOutputs: Dense;
  /** Hugging Face name → variable, in checkpoint order. */
  parameters: Map<string, tf.Variable>;
  /** Names whose variable holds the transpose of the Hugging Face tensor. */
  transposed: Set<string>;
}

export interface HfTensor {
  shape: number[];
  data: Float32Array;
}

/** The Hugging Face tensor names of one architecture, with the role each plays. */
function tensorNames(architecture: Architecture, layerCount: number) {
  const bert = architecture === 'bert';
  const root = bert ? 'bert.' : 'distilbert.';
  const norm = (prefix: string) => ({ gamma: `${prefix}.weight`, beta: `${prefix}.bias` });
  const dense = (prefix: string) => ({ weight: `${prefix}.weight`, bias: `${prefix}.bias` });
  const layers = Array.from({ length: layerCount }, (_, i) => {
    if (bert) {
      const p = `${root}encoder.layer.${i}`;
      return {
        query: dense(`${p}.attention.self.query`),
        key: dense(`${p}.attention.self.key`),
        value: dense(`${p}.attention.self.value`),
        attentionOutput: dense(`${p}.attention.output.dense`),
        attentionNorm: norm(`${p}.attention.output.LayerNorm`),
        intermediate: dense(`${p}.intermediate.dense`),
        output: dense(`${p}.output.dense`),
        outputNorm: norm(`${p}.output.LayerNorm`),
      };
    }
    const p = `${root}transformer.layer.${i}`;
    return {
      query: dense(`${p}.attention.q_lin`),
      key: dense(`${p}.attention.k_lin`),
      value: dense(`${p}.attention.v_lin`),
      attentionOutput: dense(`${p}.attention.out_lin`),
      attentionNorm: norm(`${p}.sa_layer_norm`),
      intermediate: dense(`${p}.ffn.lin1`),
      output: dense(`${p}.ffn.lin2`),
      outputNorm: norm(`${p}.output_layer_norm`),
    };
  });
  return {
    wordEmbeddings: `${root}embeddings.word_embeddings.weight`,
    positionEmbeddings: `${root}embeddings.position_embeddings.weight`,
    tokenTypeEmbeddings: bert ? `${root}embeddings.token_type_embeddings.weight` : undefined,
    embeddingNorm: norm(`${root}embeddings.LayerNorm`),
    embeddingProject: dense(`${root}embeddings_project`),
    layers,
    qaOutputs: dense('qa_outputs'),
  };
}

/** Builds the model's variables from Hugging Face tensors, already checked against the config by the checkpoint loader. */
export function createQaModel(config: ModelConfig, tensors: Map<string, HfTensor>): QaModel {
  const architecture: Architecture = config.modelType === 'distilbert' ? 'distilbert' : 'bert';
  const names = tensorNames(architecture, config.numHiddenLayers);
  const parameters = new Map<string, tf.Variable>();
  const transposed = new Set<string>();

  const take = (name: string): HfTensor => {
    const tensor = tensors.get(name);
    if (!tensor) throw new Error(`checkpoint tensor ${name} is missing`);
    return tensor;
  };
  const variable = <R extends tf.Rank>(name: string, transpose = false): tf.Variable<R> => {
    const { shape, data } = take(name);
    const value = tf.tidy(() => {
      const t = tf.tensor(data, shape, 'float32');
      return transpose ? tf.transpose(t) : t;
    });
    const v = tf.variable(value, true) as tf.Variable<R>;
    value.dispose();
    parameters.set(name, v);
    if (transpose) transposed.add(name);
    return v;
  };
  const dense = (n: { weight: string; bias: string }): Dense => ({ weight: variable(n.weight, true), bias: variable(n.bias) });
  const norm = (n: { gamma: string; beta: string }): Norm => ({ gamma: variable(n.gamma), beta: variable(n.beta) });

  const wordEmbeddings = variable<tf.Rank.R2>(names.wordEmbeddings);
  const positionEmbeddings = variable<tf.Rank.R2>(names.positionEmbeddings);
  const tokenTypeEmbeddings = names.tokenTypeEmbeddings ? variable<tf.Rank.R2>(names.tokenTypeEmbeddings) : undefined;
  const embeddingNorm = norm(names.embeddingNorm);
  const embeddingProject = tensors.has(names.embeddingProject.weight) ? dense(names.embeddingProject) : undefined;
  const layers = names.layers.map((layer) => ({
    query: dense(layer.query),
    key: dense(layer.key),
    value: dense(layer.value),
    attentionOutput: dense(layer.attentionOutput),
    attentionNorm: norm(layer.attentionNorm),
    intermediate: dense(layer.intermediate),
    output: dense(layer.output),
    outputNorm: norm(layer.outputNorm),
  }));
  const qaOutputs = dense(names.qaOutputs);
  return { architecture, config, wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm, embeddingProject, layers, qaOutputs, parameters, transposed };
}

/** The model's tensors in Hugging Face layout, read back from the variables. */
export function exportTensors(model: QaModel): { name: string; shape: number[]; data: Float32Array }[] {
  return [...model.parameters].map(([name, v]) => {
    const value = model.transposed.has(name) ? tf.tidy(() => tf.transpose(v)) : v;
    const data = value.dataSync() as Float32Array;
    const shape = [...value.shape];
    if (value !== v) value.dispose();
    return { name, shape, data: new Float32Array(data) };
  });
}

export function disposeModel(model: QaModel): void {
  for (const v of model.parameters.values()) v.dispose();
}

/**
 * The parameters training updates, by Hugging Face name: all but DistilBERT's fixed sinusoidal
 * position table (created with requires_grad=False).
 */
export function trainableParameters(model: QaModel): { name: string; variable: tf.Variable }[] {
  const frozen = model.config.sinusoidalPosEmbds ? new Set([model.positionEmbeddings]) : new Set<tf.Variable>();
  return [...model.parameters].filter(([, v]) => !frozen.has(v)).map(([name, variable]) => ({ name, variable }));
}

export function parameterCount(model: QaModel): number {
  let total = 0;
  for (const v of model.parameters.values()) total += v.size;
  return total;
}

export interface ModelInputs {
  inputIds: tf.Tensor2D; // int32 [batch, seq]
  attentionMask: tf.Tensor2D; // int32 [batch, seq]
  tokenTypeIds?: tf.Tensor2D; // int32 [batch, seq]; ignored by DistilBERT
}

export interface ForwardOptions {
  training: boolean;
  /** Replaces every dropout probability of the config (0 turns dropout off). */
  dropoutOverride?: number;
  /** Seeds the dropout masks of this pass, so a step can be replayed. */
  seed?: number;
}

/** Resolved dropout rates of one pass (all 0 in evaluation). */
function dropoutRates(model: QaModel, options: ForwardOptions) {
  const pick = (rate: number) => (!options.training ? 0 : (options.dropoutOverride ?? rate));
  const { config } = model;
  return {
    hidden: pick(config.hiddenDropoutProb),
    attention: pick(config.attentionProbsDropoutProb),
    // BertForQuestionAnswering has no dropout before its QA head; DistilBERT's has `qa_dropout`.
    qa: model.architecture === 'bert' ? 0 : pick(config.qaDropout),
  };
}

/** Start and end logits [batch, seq], as Hugging Face's QA models return them. */
export function forward(model: QaModel, inputs: ModelInputs, options: ForwardOptions): { start: tf.Tensor2D; end: tf.Tensor2D } {
  return tf.tidy(() => {
    const [batch, seq] = inputs.inputIds.shape;
    const rates = dropoutRates(model, options);
    let seed = options.seed ?? 0;
    const nextSeed = () => (options.seed === undefined ? undefined : ++seed);

    const hidden = embed(model, inputs, batch, seq);
    let x = dropout(hidden, rates.hidden, nextSeed());
    if (model.embeddingProject) x = linear(x, model.embeddingProject.weight, model.embeddingProject.bias);
    const bias = attentionBias(inputs.attentionMask);
    for (const layer of model.layers) {
      x = encoderLayer(model, layer, x, bias, { batch, seq, rates, nextSeed });
    }
    x = dropout(x, rates.qa, nextSeed());
    const logits = linear(x, model.qaOutputs.weight, model.qaOutputs.bias);
    const [start, end] = tf.split(tf.reshape(logits, [batch, seq, 2]), 2, 2);
    return { start: tf.reshape(start!, [batch, seq]) as tf.Tensor2D, end: tf.reshape(end!, [batch, seq]) as tf.Tensor2D };
  });
}

function embed(model: QaModel, inputs: ModelInputs, batch: number, seq: number): tf.Tensor2D {
  const positionIds = tf.tile(tf.range(0, seq, 1, 'int32'), [batch]) as tf.Tensor1D;
  let sum = tf.add(
    embeddingLookup(model.wordEmbeddings, tf.reshape(inputs.inputIds, [-1]) as tf.Tensor1D, model.config.padTokenId),
    embeddingLookup(model.positionEmbeddings, positionIds),
  ) as tf.Tensor2D;
  if (model.tokenTypeEmbeddings) {
    const typeIds = inputs.tokenTypeIds ? (tf.reshape(inputs.tokenTypeIds, [-1]) as tf.Tensor1D) : (tf.zeros([batch * seq], 'int32') as tf.Tensor1D);
    sum = tf.add(sum, embeddingLookup(model.tokenTypeEmbeddings, typeIds));
  }
  return layerNorm(sum, model.embeddingNorm.gamma, model.embeddingNorm.beta, model.config.layerNormEps);
}

interface LayerContext {
  batch: number;
  seq: number;
  rates: { hidden: number; attention: number };
  nextSeed: () => number | undefined;
}

function encoderLayer(model: QaModel, layer: EncoderLayer, x: tf.Tensor2D, bias: tf.Tensor4D, ctx: LayerContext): tf.Tensor2D {
  const eps = model.config.layerNormEps;
  const context = selfAttention({
    query: linear(x, layer.query.weight, layer.query.bias),
    key: linear(x, layer.key.weight, layer.key.bias),
    value: linear(x, layer.value.weight, layer.value.bias),
    bias,
    batch: ctx.batch,
    seq: ctx.seq,
    heads: model.config.numAttentionHeads,
    dropoutRate: ctx.rates.attention,
    dropoutSeed: ctx.nextSeed(),
  });
  // DistilBERT applies no dropout after its attention output projection; BERT does.
  const projected = linear(context, layer.attentionOutput.weight, layer.attentionOutput.bias);
  const attended = model.architecture === 'bert' ? dropout(projected, ctx.rates.hidden, ctx.nextSeed()) : projected;
  const h = layerNorm(tf.add(attended, x) as tf.Tensor2D, layer.attentionNorm.gamma, layer.attentionNorm.beta, eps);
  const inner = activate(linear(h, layer.intermediate.weight, layer.intermediate.bias), model.config.hiddenAct as Activation);
  const out = dropout(linear(inner, layer.output.weight, layer.output.bias), ctx.rates.hidden, ctx.nextSeed());
  return layerNorm(tf.add(out, h) as tf.Tensor2D, layer.outputNorm.gamma, layer.outputNorm.beta, eps);
}

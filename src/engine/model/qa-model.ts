/**
 * BertForQuestionAnswering and DistilBertForQuestionAnswering as one TensorFlow.js model. Both are a
 * stack of post-LayerNorm transformer layers; they differ in tensor names, token-type embeddings and
 * DistilBERT's dropout before the QA head. Parameters keep their Hugging Face names, so checkpoints
 * go in and out unchanged; dense weights are held transposed ([in, out]) for fast matmuls.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../checkpoint/config';
import { attentionBias, selfAttention } from './attention';
import { activate, customOp, dropout, embeddingLookup, layerNorm, linear, type Activation } from './ops';

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

/**
 * Start and end logits of id matrices (rows of one length) in evaluation mode, as nested arrays.
 * (Callers that load TensorFlow.js on demand get it through here: a dynamic import of the package
 * itself gives an ES module bundle only its default export.)
 */
export function forwardMatrices(model: QaModel, inputs: { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] }): { start: number[][]; end: number[][] } {
  const { start, end } = tf.tidy(() =>
    forward(model, {
      inputIds: tf.tensor2d(inputs.inputIds, undefined, 'int32'),
      attentionMask: tf.tensor2d(inputs.attentionMask, undefined, 'int32'),
      tokenTypeIds: tf.tensor2d(inputs.tokenTypeIds, undefined, 'int32'),
    }, { training: false }),
  );
  try {
    return { start: start.arraySync(), end: end.arraySync() };
  } finally {
    tf.dispose([start, end]);
  }
}

export interface ForwardOptions {
  training: boolean;
  /** Replaces every dropout probability of the config (0 turns dropout off). */
  dropoutOverride?: number;
  /** Seeds the dropout masks of this pass, so a step can be replayed. */
  seed?: number;
  /**
   * Recompute each layer in the backward pass instead of keeping its activations (training only):
   * about a third more arithmetic for a fraction of the memory.
   */
  checkpointLayers?: boolean;
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
      x = encoderLayer(model, layer, x, bias, { batch, seq, checkpoint: options.training && options.checkpointLayers !== false, rates, nextSeed });
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
  checkpoint: boolean;
  rates: { hidden: number; attention: number };
  nextSeed: () => number | undefined;
}

/** The sixteen tensors of one encoder layer, in a fixed order (the checkpointed op's inputs). */
function layerTensors(layer: EncoderLayer): tf.Tensor[] {
  const { query, key, value, attentionOutput, attentionNorm, intermediate, output, outputNorm } = layer;
  return [query, key, value, attentionOutput].flatMap((d) => [d.weight, d.bias])
    .concat([attentionNorm.gamma, attentionNorm.beta], [intermediate, output].flatMap((d) => [d.weight, d.bias]), [outputNorm.gamma, outputNorm.beta]);
}

function denseAt(t: tf.Tensor[], i: number) {
  return { weight: t[i] as tf.Tensor2D, bias: t[i + 1] as tf.Tensor1D };
}

/**
 * One post-LayerNorm transformer layer. When checkpointed, the forward pass keeps only
 * the layer's input, and the backward pass recomputes the layer (same dropout seeds) to get its
 * gradients. tfjs otherwise keeps every intermediate of every layer until the backward pass ends,
 * which does not fit the WebAssembly heap at SQuAD window sizes.
 */
function encoderLayer(model: QaModel, layer: EncoderLayer, x: tf.Tensor2D, bias: tf.Tensor4D, ctx: LayerContext): tf.Tensor2D {
  const seeds = {
    attention: ctx.nextSeed(),
    attentionOutput: model.architecture === 'bert' ? ctx.nextSeed() : undefined,
    output: ctx.nextSeed(),
  };
  const compute = (input: tf.Tensor, b: tf.Tensor, t: tf.Tensor[]): tf.Tensor2D => {
    const eps = model.config.layerNormEps;
    const [q, k, v, ao, inter, out] = [0, 2, 4, 6, 10, 12].map((i) => denseAt(t, i)) as ReturnType<typeof denseAt>[];
    const h0 = input as tf.Tensor2D;
    const context = selfAttention({
      query: linear(h0, q!.weight, q!.bias),
      key: linear(h0, k!.weight, k!.bias),
      value: linear(h0, v!.weight, v!.bias),
      bias: b as tf.Tensor4D,
      batch: ctx.batch,
      seq: ctx.seq,
      heads: model.config.numAttentionHeads,
      dropoutRate: ctx.rates.attention,
      dropoutSeed: seeds.attention,
    });
    // DistilBERT applies no dropout after its attention output projection; BERT does.
    const projected = linear(context, ao!.weight, ao!.bias);
    const attended = model.architecture === 'bert' ? dropout(projected, ctx.rates.hidden, seeds.attentionOutput) : projected;
    const h = layerNorm(tf.add(attended, h0) as tf.Tensor2D, t[8] as tf.Tensor1D, t[9] as tf.Tensor1D, eps);
    const innerActivation = activate(linear(h, inter!.weight, inter!.bias), model.config.hiddenAct as Activation);
    const ffn = dropout(linear(innerActivation, out!.weight, out!.bias), ctx.rates.hidden, seeds.output);
    return layerNorm(tf.add(ffn, h) as tf.Tensor2D, t[14] as tf.Tensor1D, t[15] as tf.Tensor1D, eps);
  };
  if (!ctx.checkpoint) return compute(x, bias, layerTensors(layer));
  const checkpointed = customOp(
    ([input, b, ...t]) => ({ value: compute(input!, b!, t), saved: [input!, b!, ...t] }),
    (dy, [input, b, ...t]) => recomputeGradients((args) => compute(args[0]!, b!, args.slice(1)), [input!, ...t], dy, b!),
  );
  return checkpointed(x, bias, ...layerTensors(layer)) as tf.Tensor2D;
}

/**
 * Gradients of `f` at `inputs` for upstream `dy`, computed with a nested gradient pass. tfjs has one
 * global tape: the nested pass replaces and then clears it, so the outer tape is put back afterwards.
 */
function recomputeGradients(f: (args: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], dy: tf.Tensor, constant: tf.Tensor): tf.Tensor[] {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outerTape = state.activeTape;
  try {
    const grads = tf.grads((...args: tf.Tensor[]) => f(args))(inputs, dy);
    return [grads[0]!, tf.zerosLike(constant), ...grads.slice(1)];
  } finally {
    state.activeTape = outerTape;
  }
}

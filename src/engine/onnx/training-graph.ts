/**
 * The training step of a question-answering model as one ONNX graph of standard operators: the
 * forward pass of modeling-bert.ts / modeling-distilbert.ts with dropout masks fed in, the QA loss, and
 * the hand-written backward pass of every block. ONNX Runtime's npm build has no training API, so the
 * step is an ordinary inference session.
 *
 * Inputs: every weight under its Hugging Face name; `input_ids`, `attention_mask` (and
 * `token_type_ids` for BERT layouts) int64 [B, S]; `start_positions`, `end_positions` int64 [B];
 * `loss_weight`, a float scalar (the micro-batch's share of its step); the dropout mask of each site
 * whose probability is above 0 (`<site>.dropout_mask`, see train/dropout.ts).
 * Outputs: `loss` (unweighted) and, for each trainable weight, the gradient of loss × loss_weight.
 */
import type { ModelConfig } from '../checkpoint/config';
import { parameterSpecs } from '../checkpoint/parameters';
import { dropoutMaskShape, dropoutSites, type DropoutSite } from '../train/dropout';
import { FLOAT, GraphBuilder, INT64, type Dim } from './graph';
import { Gradients, dropoutMaskInput, trainingContext } from './layers';
import { bertForQuestionAnswering, bertForQuestionAnsweringBackward, bertWeights, declareBertInputs } from './modeling-bert';
import { declareDistilBertInputs, distilBertForQuestionAnswering, distilBertForQuestionAnsweringBackward, distilBertWeights } from './modeling-distilbert';
import { questionAnsweringLoss } from './qa-loss';

export interface TrainingGraph {
  bytes: Uint8Array;
  /** Every weight the graph reads (frozen ones included), in checkpoint order. */
  weights: { name: string; shape: number[] }[];
  /** The trainable weights, in checkpoint order, with the graph output that carries each gradient. */
  gradients: { weight: string; output: string }[];
  /** Every dropout site in draw order; `input` names the mask input of those that are on. */
  dropout: { site: DropoutSite; input?: string }[];
  /** The batch inputs, in order (`token_type_ids` only for BERT layouts). */
  batchInputs: string[];
  nodeCount: number;
}

export const LOSS_OUTPUT = 'loss';
export const LOSS_WEIGHT_INPUT = 'loss_weight';

/**
 * The weights training updates: all but DistilBERT's fixed sinusoidal position table (created with
 * requires_grad=False by Hugging Face).
 */
export function isTrainable(config: ModelConfig, name: string): boolean {
  return !(config.sinusoidalPosEmbds && name === 'distilbert.embeddings.position_embeddings.weight');
}

/** Builds the graph for `config`, whose dropout probabilities are those of the run (see withDropout). */
export function buildTrainingGraph(config: ModelConfig): TrainingGraph {
  const g = new GraphBuilder();
  const weights = parameterSpecs(config).map((spec) => ({ name: spec.name, shape: spec.shape }));
  for (const w of weights) g.input(w.name, FLOAT, w.shape);

  const sites = dropoutSites(config);
  const ctx = trainingContext(g, (name) => {
    const site = sites.find((s) => s.name === name);
    return site && dropoutMaskShape<Dim>(site, 'batch', 'sequence');
  });

  const grads = new Gradients();
  let batchInputs: string[];
  let logits: { startLogits: string; endLogits: string };
  let backward: (dStart: string, dEnd: string) => void;
  if (config.modelType === 'distilbert') {
    const tree = distilBertWeights(config);
    const inputs = declareDistilBertInputs(ctx);
    batchInputs = [inputs.input_ids, inputs.attention_mask];
    const forward = distilBertForQuestionAnswering(ctx, config, tree, inputs);
    logits = forward;
    backward = (dStart, dEnd) => distilBertForQuestionAnsweringBackward(ctx, config, tree, forward.saved, dStart, dEnd, grads);
  } else {
    const tree = bertWeights(config);
    const inputs = declareBertInputs(ctx);
    batchInputs = [inputs.input_ids, inputs.attention_mask, inputs.token_type_ids];
    const forward = bertForQuestionAnswering(ctx, config, tree, inputs);
    logits = forward;
    backward = (dStart, dEnd) => bertForQuestionAnsweringBackward(ctx, config, tree, forward.saved, dStart, dEnd, grads);
  }
  const positions = { startPositions: g.input('start_positions', INT64, ['batch']), endPositions: g.input('end_positions', INT64, ['batch']) };
  batchInputs.push(positions.startPositions, positions.endPositions);
  const lossWeight = g.input(LOSS_WEIGHT_INPUT, FLOAT, []);
  const loss = questionAnsweringLoss(g, logits, positions, lossWeight);
  backward(loss.dStartLogits, loss.dEndLogits);

  g.output(loss.loss, LOSS_OUTPUT, FLOAT, []);
  const gradients = weights
    .filter((w) => isTrainable(config, w.name))
    .map((w) => {
      const output = grads.byWeight.get(w.name);
      if (!output) throw new Error(`the backward pass makes no gradient for ${w.name}`);
      // The gradient value itself is the output (an Identity to rename it would copy it each step).
      g.output(output, output, FLOAT, w.shape);
      return { weight: w.name, output };
    });
  const unexpected = [...grads.byWeight.keys()].filter((name) => !isTrainable(config, name));
  if (unexpected.length > 0) throw new Error(`the backward pass makes gradients for frozen weights: ${unexpected.join(', ')}`);

  const architecture = config.modelType === 'distilbert' ? 'DistilBertForQuestionAnswering' : 'BertForQuestionAnswering';
  const bytes = g.toModel({
    name: `${architecture}TrainingStep`,
    docString: `One training step (loss and gradients) of ${architecture} (${config.numHiddenLayers} layers, hidden ${config.hiddenSize}), built by SpanTune`,
  });
  const dropout = sites.map((site) => ({ site, input: ctx.masks.has(site.name) ? dropoutMaskInput(site.name) : undefined }));
  return { bytes, weights, gradients, dropout, batchInputs, nodeCount: g.nodeCount };
}

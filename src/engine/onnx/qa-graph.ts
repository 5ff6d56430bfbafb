/**
 * The question-answering forward graph of a checkpoint, with its weights as initializers under their
 * Hugging Face names: one self-contained .onnx file that ONNX Runtime (Node, web, Python) and
 * transformers.js read. Inputs and outputs are named as Hugging Face's own ONNX exports name them:
 * `input_ids`, `attention_mask` (and `token_type_ids` for BERT layouts), int64 [batch, sequence] →
 * `start_logits`, `end_logits`, float32 [batch, sequence].
 */
import type { ModelConfig } from '../checkpoint/config';
import { parameterSpecs } from '../checkpoint/parameters';
import type { FloatTensor } from '../checkpoint/safetensors';
import { UserError } from '../errors';
import { FLOAT, GraphBuilder } from './graph';
import { inferenceContext, weightNames } from './layers';
import { bertForQuestionAnswering, bertWeights, declareBertInputs } from './modeling-bert';
import { declareDistilBertInputs, distilBertForQuestionAnswering, distilBertWeights } from './modeling-distilbert';

export interface QaGraph {
  /** The serialised ONNX ModelProto (without its weights when they are in `externalData`). */
  bytes: Uint8Array;
  /** The weight file's contents, in order, when the graph was built with external data. */
  externalData?: Uint8Array[];
  /** The graph's input names, in order (`token_type_ids` only for BERT layouts). */
  inputNames: string[];
  nodeCount: number;
}

/** The weight tree of `config`'s architecture (its leaves are the names the graph uses). */
export function qaWeightTree(config: ModelConfig) {
  return config.modelType === 'distilbert' ? distilBertWeights(config) : bertWeights(config);
}

/** `externalData`: keep the weights in a separate file of that name (see GraphBuilder.toModelWithExternalData). */
export function buildQaGraph(config: ModelConfig, tensors: ReadonlyMap<string, FloatTensor>, metadata: Record<string, string> = {}, options: { externalData?: string } = {}): QaGraph {
  const declareWeight = (g: GraphBuilder, name: string) => {
    const tensor = tensors.get(name);
    if (!tensor) throw new UserError(`cannot build the ONNX graph: the weights have no tensor ${name}`);
    g.initializer(name, tensor.shape, tensor.data);
  };
  return buildGraph(config, declareWeight, metadata, options);
}

/**
 * The same graph with every weight a graph input under its Hugging Face name, so that one session
 * serves weights that change: validation while training.
 */
export function buildQaGraphWithWeightInputs(config: ModelConfig): QaGraph {
  const shapes = new Map(parameterSpecs(config).map((s) => [s.name, s.shape]));
  return buildGraph(config, (g, name) => {
    g.input(name, FLOAT, shapes.get(name)!);
  });
}

function buildGraph(config: ModelConfig, declareWeight: (g: GraphBuilder, name: string) => void, metadata: Record<string, string> = {}, options: { externalData?: string } = {}): QaGraph {
  const g = new GraphBuilder();
  const ctx = inferenceContext(g);
  for (const name of weightNames(qaWeightTree(config))) declareWeight(g, name);
  let logits: { startLogits: string; endLogits: string };
  let inputNames: string[];
  if (config.modelType === 'distilbert') {
    const inputs = declareDistilBertInputs(ctx);
    logits = distilBertForQuestionAnswering(ctx, config, distilBertWeights(config), inputs);
    inputNames = [inputs.input_ids, inputs.attention_mask];
  } else {
    const inputs = declareBertInputs(ctx);
    logits = bertForQuestionAnswering(ctx, config, bertWeights(config), inputs);
    inputNames = [inputs.input_ids, inputs.attention_mask, inputs.token_type_ids];
  }
  g.output(logits.startLogits, 'start_logits', FLOAT, ['batch', 'sequence']);
  g.output(logits.endLogits, 'end_logits', FLOAT, ['batch', 'sequence']);

  const architecture = config.modelType === 'distilbert' ? 'DistilBertForQuestionAnswering' : 'BertForQuestionAnswering';
  const model = {
    name: architecture,
    docString: `${architecture} (${config.numHiddenLayers} layers, hidden ${config.hiddenSize}) built by SpanTune from Hugging Face weights`,
    metadata: { architecture, model_type: config.hubModelType, ...metadata },
  };
  if (options.externalData) {
    const split = g.toModelWithExternalData(model, options.externalData, process.platform === 'win32' ? 65536 : 4096);
    return { bytes: split.model, externalData: split.data, inputNames, nodeCount: g.nodeCount };
  }
  return { bytes: g.toModel(model), inputNames, nodeCount: g.nodeCount };
}

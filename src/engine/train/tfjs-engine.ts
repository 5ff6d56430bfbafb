/**
 * Training steps on TensorFlow.js: the fallback where ONNX Runtime cannot load, and what
 * `--backend tensorflow-gpu|tensorflow|wasm|cpu` forces. The model's variables, tf.variableGrads over
 * the hand-written gradients of model/ops.ts, and the tfjs AdamW of optimizer.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/select';
import type { BackendName } from '../backend/names';
import { loadQaModel, saveQaModel } from '../model/load';
import { forward, parameterCount, trainableParameters, type QaModel } from '../model/qa-model';
import type { SquadScores } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import { QA_DEFAULTS } from '../qa/defaults';
import type { QaExample } from '../squad/types';
import type { PlannedStep } from './batches';
import { clipGradNorm, globalGradNorm } from './clip';
import type { EngineOptions, TrainingEngine } from './engine';
import { evaluateModel } from './evaluate';
import { qaLoss } from './loss';
import { planMicroBatches } from './memory';
import { AdamW } from './optimizer';
import { deriveSeed } from './rng';

const yieldToEvents = () => new Promise((resolve) => setImmediate(resolve));

export async function openTfjsEngine(options: EngineOptions & { backend?: BackendName; onnxSkipped?: string }): Promise<TrainingEngine> {
  const backend = await initBackend({ force: options.backend });
  const { model, warnings } = await loadQaModel(options.weightsDir, { seed: options.settings.seed });
  warnings.forEach((w) => options.log(w, 'warn'));
  const { settings } = options;
  const memory = planMicroBatches(model.config, parameterCount(model), settings.maxSeqLength, settings.batchSize, backend.name);
  const trainable = trainableParameters(model);
  const optimizer = new AdamW(trainable, { weightDecay: settings.weightDecay });
  if (options.optimizerState) optimizer.setState(options.optimizerState);
  const variables = new Map(trainable.map((p) => [p.variable.name, p.name]));
  let pending: Map<string, tf.Tensor> | undefined;
  const skipped = [...(options.onnxSkipped ? [{ name: 'onnx', reason: options.onnxSkipped }] : []), ...backend.skipped];

  return {
    report: { ...backend, skipped },
    config: model.config,
    architecture: model.architecture === 'distilbert' ? 'DistilBertForQuestionAnswering' : 'BertForQuestionAnswering',
    parameterCount: parameterCount(model),
    microBatchSize: memory.microBatchSize,
    memoryNote: `${memory.checkpointLayers ? 'layers recomputed in the backward pass, ' : ''}estimated peak ${(memory.estimatedPeakBytes / 2 ** 30).toFixed(2)} GiB`,
    async computeStep(features, planned) {
      const step = await computeStepGradients(model, variables, features, planned, settings.seed, settings.dropout, settings.maxGradNorm, memory.checkpointLayers);
      pending = step.grads;
      return { loss: step.loss, gradNorm: step.gradNorm };
    },
    update(learningRate) {
      if (!pending) throw new Error('update() without computed gradients');
      optimizer.step(pending, learningRate);
      tf.dispose([...pending.values()]);
      pending = undefined;
    },
    discardGradients() {
      if (pending) tf.dispose([...pending.values()]);
      pending = undefined;
    },
    evaluate(examples: QaExample[], features: QaFeature[], options): Promise<SquadScores> {
      return evaluateModel(model, examples, features, { batchSize: QA_DEFAULTS.batchSize, ...options });
    },
    saveModel: (dir, tokenizerDir) => saveQaModel(model, dir, tokenizerDir),
    optimizerState: () => optimizer.getState(),
    async dispose() {
      optimizer.dispose();
      for (const v of model.parameters.values()) v.dispose();
    },
  };
}

function batchTensors(features: QaFeature[]) {
  const rows = (pick: (f: QaFeature) => Int32Array) => tf.tensor2d(features.map((f) => Array.from(pick(f))), undefined, 'int32');
  return {
    inputs: { inputIds: rows((f) => f.inputIds), attentionMask: rows((f) => f.attentionMask), tokenTypeIds: rows((f) => f.tokenTypeIds) },
    startPositions: tf.tensor1d(features.map((f) => f.startPosition ?? 0), 'int32'),
    endPositions: tf.tensor1d(features.map((f) => f.endPosition ?? 0), 'int32'),
  };
}

/**
 * One optimizer step's gradients: the gradient of the mean loss over the step's features, accumulated
 * over micro-batches (each weighted by its share), then clipped. Returns the loss and the pre-clip norm.
 */
async function computeStepGradients(
  model: QaModel,
  variables: Map<string, string>,
  features: readonly QaFeature[],
  planned: PlannedStep,
  seed: number,
  dropout: number | undefined,
  maxGradNorm: number,
  checkpointLayers: boolean,
): Promise<{ loss: number; grads: Map<string, tf.Tensor>; gradNorm: number }> {
  const grads = new Map<string, tf.Tensor>();
  const varList = trainableParameters(model).map((p) => p.variable);
  let loss = 0;
  for (let m = 0; m < planned.microBatches.length; m++) {
    const weight = planned.weights[m]!;
    const { value, grads: micro } = tf.variableGrads(() =>
      tf.tidy(() => {
        const batch = batchTensors(planned.microBatches[m]!.map((i) => features[i]!));
        const microSeed = deriveSeed(seed, planned.step, m);
        const { start, end } = forward(model, batch.inputs, { training: true, dropoutOverride: dropout, seed: microSeed, checkpointLayers });
        return tf.mul(qaLoss(start, end, batch.startPositions, batch.endPositions), weight) as tf.Scalar;
      }),
      varList,
    );
    loss += (await value.data())[0]!;
    value.dispose();
    for (const [variableName, gradient] of Object.entries(micro)) {
      const name = variables.get(variableName)!;
      const previous = grads.get(name);
      if (previous) {
        grads.set(name, tf.add(previous, gradient));
        previous.dispose();
        gradient.dispose();
      } else {
        grads.set(name, gradient);
      }
    }
    await yieldToEvents();
  }
  const gradNorm = maxGradNorm > 0 ? clipGradNorm(grads, maxGradNorm) : globalGradNorm(grads);
  return { loss, grads, gradNorm };
}

/**
 * How many features fit in one forward/backward pass. tfjs's WebAssembly heap is capped at 4 GiB
 * (wasm32), and overflowing it aborts the process, so the trainer sizes its micro-batches from an
 * estimate of what one step keeps alive, and refuses at once a model that cannot fit at all.
 */
import { UserError } from '../errors';
import type { ModelConfig } from '../checkpoint/config';
import type { BackendName } from '../process/protocol';

const GIB = 1024 ** 3;

/** Memory a backend can give tensors: the wasm heap (with headroom for fragmentation), or a generous native figure. */
export function tensorMemoryBudget(backend: BackendName): number {
  return backend === 'wasm' ? 3.2 * GIB : 12 * GIB;
}

/** Parameters, gradients, two Adam moments and the optimizer's per-parameter temporaries. */
export function fixedTrainingBytes(parameterCount: number): number {
  return parameterCount * 4 * 5;
}

/** Activations one feature keeps until the backward pass, with the transients of the largest layer. */
export function bytesPerFeature(config: ModelConfig, seq: number): number {
  const { hiddenSize: h, intermediateSize: i, numAttentionHeads: heads, numHiddenLayers: layers } = config;
  const perLayer = 4 * (seq * h * 16 + seq * i * 4 + heads * seq * seq * 5);
  return layers * perLayer + 4 * seq * h * 8;
}

export interface MicroBatchPlan {
  microBatchSize: number;
  estimatedPeakBytes: number;
}

export function planMicroBatches(config: ModelConfig, parameterCount: number, seq: number, batchSize: number, backend: BackendName): MicroBatchPlan {
  const budget = tensorMemoryBudget(backend);
  const fixed = fixedTrainingBytes(parameterCount);
  const perFeature = bytesPerFeature(config, seq);
  const fits = Math.floor((budget - fixed) / perFeature);
  if (fits < 1) {
    const need = (fixed + perFeature) / GIB;
    throw new UserError(
      `the model (${(parameterCount / 1e6).toFixed(1)}M parameters, ${config.numHiddenLayers} layers × ${config.hiddenSize}) needs about ` +
        `${need.toFixed(1)} GiB to train one ${seq}-token window, more than the ${backend} backend's ${(budget / GIB).toFixed(1)} GiB: ` +
        `use a smaller model, a shorter --max-seq-length, or the native TensorFlow backend (SpanTune: Set Up Accelerated Engine)`,
    );
  }
  const microBatchSize = Math.max(1, Math.min(batchSize, fits));
  return { microBatchSize, estimatedPeakBytes: fixed + microBatchSize * perFeature };
}

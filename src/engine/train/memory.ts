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

/**
 * Peak bytes one feature adds to a training step, with or without per-layer checkpointing (see
 * qa-model.ts). Checkpointed, the peak is the saved layer inputs plus one layer's forward and
 * backward temporaries; otherwise every layer's activations stay until the backward pass ends. The
 * coefficients (copies of the attention matrix, of the FFN activation, of the hidden state) were
 * measured with tf.profile's peakBytes on bert-mini (L4 H256) and MiniLM-L6 (L6 H384) shapes at seq
 * 384, with 20% headroom.
 */
export function bytesPerFeature(config: ModelConfig, seq: number, checkpointLayers = true): number {
  const { hiddenSize: h, intermediateSize: i, numAttentionHeads: heads, numHiddenLayers: layers } = config;
  const floats = checkpointLayers
    ? 28 * heads * seq * seq + 31 * seq * i + 24 * seq * h + layers * seq * h * 2
    : layers * (2 * heads * seq * seq + 44 * seq * i + 24 * seq * h);
  return Math.ceil(4 * floats * 1.2);
}

export interface MicroBatchPlan {
  microBatchSize: number;
  /** Recompute layers in the backward pass (when keeping activations would leave micro-batches too small). */
  checkpointLayers: boolean;
  estimatedPeakBytes: number;
}

export function planMicroBatches(config: ModelConfig, parameterCount: number, seq: number, batchSize: number, backend: BackendName): MicroBatchPlan {
  const budget = tensorMemoryBudget(backend);
  const fixed = fixedTrainingBytes(parameterCount);
  const fitting = (checkpointLayers: boolean) => Math.floor((budget - fixed) / bytesPerFeature(config, seq, checkpointLayers));
  // Recomputing costs a third more arithmetic, small micro-batches cost little on a CPU: keep the
  // activations unless that leaves fewer than 2 windows, or under a quarter of what recomputing allows.
  const withoutRecompute = fitting(false);
  const withRecompute = fitting(true);
  const checkpointLayers = withoutRecompute < Math.min(batchSize, Math.max(2, Math.floor(withRecompute / 4)));
  const fits = checkpointLayers ? withRecompute : withoutRecompute;
  const perFeature = bytesPerFeature(config, seq, checkpointLayers);
  if (fits < 1) {
    const need = (fixed + perFeature) / GIB;
    throw new UserError(
      `the model (${(parameterCount / 1e6).toFixed(1)}M parameters, ${config.numHiddenLayers} layers × ${config.hiddenSize}) needs about ` +
        `${need.toFixed(1)} GiB to train one ${seq}-token window, more than the ${backend} backend's ${(budget / GIB).toFixed(1)} GiB: ` +
        `use a smaller model, a shorter --max-seq-length, or the native TensorFlow backend (SpanTune: Set Up Accelerated Engine)`,
    );
  }
  const microBatchSize = Math.max(1, Math.min(batchSize, fits));
  return { microBatchSize, checkpointLayers, estimatedPeakBytes: fixed + microBatchSize * perFeature };
}

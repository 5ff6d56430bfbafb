/**
 * How many features fit in one TensorFlow.js forward/backward pass. tfjs's WebAssembly heap is capped
 * at 4 GiB (wasm32), and overflowing it aborts the process; native TensorFlow has what the machine (or
 * its GPU) has free. The trainer sizes its micro-batches from an estimate of what one step keeps
 * alive against that, and refuses at once a model that cannot fit at all. (ONNX Runtime sizes them
 * from measurements: onnx-engine.ts.)
 */
import { UserError } from '../errors';
import type { ModelConfig } from '../checkpoint/config';
import type { BackendName } from '../process/protocol';
import { availableMemory, GIB, nvidiaFreeMemory } from './native-memory';

/** Where a backend's tensors live and how much room there is, measured when asked (injectable for tests). */
export interface MemoryMeasures {
  /** Bytes the process can still take. */
  host: () => number;
  /** Free bytes on the GPU, undefined where unknown. */
  gpu: () => number | undefined;
}

const MEASURED: MemoryMeasures = { host: () => availableMemory(), gpu: nvidiaFreeMemory };

/**
 * Memory a backend can give tensors: the wasm heap (with headroom for fragmentation); for native
 * TensorFlow 85% of the free memory of the device it computes on (the GPU's as nvidia-smi reports it,
 * else the machine's).
 */
export function tensorMemoryBudget(backend: BackendName, measures: MemoryMeasures = MEASURED): number {
  if (backend === 'wasm') return 3.2 * GIB;
  const free = backend === 'tensorflow-gpu' ? (measures.gpu() ?? measures.host()) : measures.host();
  return 0.85 * free;
}

function budgetName(backend: BackendName, budget: number): string {
  const gib = `${(budget / GIB).toFixed(1)} GiB`;
  return backend === 'wasm' ? `the wasm backend's ${gib}` : `the ${gib} the ${backend} backend has free`;
}

/** Parameters, gradients, two Adam moments and the optimizer's per-parameter temporaries. */
export function fixedTrainingBytes(parameterCount: number): number {
  return parameterCount * 4 * 5;
}

/**
 * Peak bytes one feature adds to a training step, with or without per-layer checkpointing (see
 * qa-model.ts). Checkpointed, the peak is one layer's forward and backward temporaries plus the saved
 * layer inputs; otherwise every layer keeps its activations until the backward pass ends, and the
 * backward pass of a layer adds its temporaries on top. Coefficients fitted to tf.profile's peak bytes
 * per window on wasm (seven shapes from L2 H64 at seq 256 to MiniLM-L6's layers at seq 384, within 10%
 * of each; memory.test.ts re-measures two), with the S·H terms folded into S·I (I = 4H in every
 * supported checkpoint), and 20% headroom.
 */
export function bytesPerFeature(config: ModelConfig, seq: number, checkpointLayers = true): number {
  const { hiddenSize: h, intermediateSize: i, numAttentionHeads: heads, numHiddenLayers: layers } = config;
  const attention = heads * seq * seq;
  const ffn = seq * i;
  const floats = checkpointLayers
    ? 15 * attention + 45 * ffn + layers * 2 * seq * h
    : layers * (5 * attention + 26 * ffn) + 8 * attention + 27 * ffn;
  return Math.ceil(4 * floats * 1.2);
}

export interface MicroBatchPlan {
  microBatchSize: number;
  /** Recompute layers in the backward pass (when keeping activations would leave micro-batches too small). */
  checkpointLayers: boolean;
  estimatedPeakBytes: number;
}

export function planMicroBatches(config: ModelConfig, parameterCount: number, seq: number, batchSize: number, backend: BackendName, measures: MemoryMeasures = MEASURED): MicroBatchPlan {
  const budget = tensorMemoryBudget(backend, measures);
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
        `${need.toFixed(1)} GiB to train one ${seq}-token window, more than ${budgetName(backend, budget)}: ` +
        (backend === 'wasm'
          ? 'use a smaller model, a shorter --max-seq-length, or ONNX Runtime or native TensorFlow (SpanTune: Set Up Accelerated Engine)'
          : 'use a smaller model, a shorter --max-seq-length, or close other programs'),
    );
  }
  const microBatchSize = Math.max(1, Math.min(batchSize, fits));
  return { microBatchSize, checkpointLayers, estimatedPeakBytes: fixed + microBatchSize * perFeature };
}

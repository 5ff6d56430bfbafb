/**
 * Training steps on ONNX Runtime: the weights live in the engine as Float32Arrays (by Hugging Face
 * name), each micro-batch runs the training graph (onnx/training-graph.ts) with them and its dropout
 * masks as inputs, and AdamW updates them in place (adamw-float32.ts). Validation runs the inference
 * graph with the same arrays as inputs, so no graph is rebuilt while training. TensorFlow.js is never
 * loaded on this path.
 */
import { loadQaWeights, saveQaWeights } from '../checkpoint/qa-weights';
import type { FloatTensor } from '../checkpoint/safetensors';
import { UserError } from '../errors';
import { buildQaGraphWithWeightInputs } from '../onnx/qa-graph';
import { describeProviders, type ProviderName } from '../onnx/providers';
import { computeOnnxLogits } from '../onnx/qa-logits';
import type { OrtTensor } from '../onnx/runtime';
import { createSession, type OnnxSession } from '../onnx/session';
import { buildTrainingGraph, LOSS_OUTPUT, LOSS_WEIGHT_INPUT, type TrainingGraph } from '../onnx/training-graph';
import type { ModelConfig } from '../checkpoint/config';
import type { EngineReport, SquadScores, TrainSettings } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import { QA_DEFAULTS } from '../qa/defaults';
import type { QaExample } from '../squad/types';
import { Float32AdamW } from './adamw-float32';
import type { AdamWState } from './adamw-state';
import type { PlannedStep } from './batches';
import { dropoutMaskShape, fillDropoutMask, withDropout } from './dropout';
import type { EngineOptions, TrainingEngine } from './engine';
import { clipScale, globalNorm } from './grad-norm';
import { fixedTrainingBytes } from './memory';
import { GIB, measurePeakResident, nvidiaFreeMemory, residentBytes, residentLimit } from './native-memory';
import { deriveSeed } from './rng';
import { squadScores } from './scores';

const yieldToEvents = () => new Promise((resolve) => setImmediate(resolve));

export async function openOnnxEngine(options: EngineOptions & { provider?: ProviderName; threads?: number }): Promise<OnnxTrainingEngine> {
  const { settings, log } = options;
  const { config, tensors } = await loadQaWeights(options.weightsDir, { seed: settings.seed });
  const runConfig = withDropout(config, settings.dropout);
  const graph = buildTrainingGraph(runConfig);
  const label = `the training graph of ${options.weightsDir}`;
  // No memory pattern: it keeps buffers sized for the largest run, and cut nothing from the step time
  // (measured: RSS 2.3 → 1.4 GB for MiniLM-L6 at batch 8, same speed).
  const session = await createSession(graph.bytes, {
    label, provider: options.provider, threads: options.threads, onLog: (line) => log(line), sessionOptions: { enableMemPattern: false },
  });
  const engine = new OnnxTrainingEngine(runConfig, tensors, graph, session, settings);
  if (options.optimizerState) engine.optimizer.setState(options.optimizerState);
  await engine.planMemory(options.features, settings.batchSize, settings.maxSeqLength);
  return engine;
}

/** How the micro-batch was sized on the CPU provider (bytes). */
export interface MemoryPlan {
  /** Resident memory the step may reach (see residentLimit). */
  limit: number;
  /** Peak resident memory of a step, less its windows; AdamW's moments and accumulated gradients included. */
  base: number;
  perWindow: number;
  /** False when the peak could not be measured here (then twice a lower bound per window). */
  measured: boolean;
  predictedPeak: number;
}

export class OnnxTrainingEngine implements TrainingEngine {
  readonly architecture: string;
  readonly parameterCount: number;
  readonly optimizer: Float32AdamW;
  microBatchSize = 1;
  memoryNote = '';
  memoryPlan: MemoryPlan | undefined;
  /** Gradients of the step in progress (accumulated over its micro-batches), by weight name. */
  private pending: { grads: Map<string, Float32Array>; norm: number } | undefined;
  private validation: OnnxSession | undefined;
  private readonly masks = new Map<string, Float32Array>();

  private readonly maxGradNorm: number;
  private readonly seed: number;

  constructor(
    readonly config: ModelConfig,
    private readonly tensors: Map<string, FloatTensor>,
    private readonly graph: TrainingGraph,
    private readonly session: OnnxSession,
    settings: Pick<TrainSettings, 'maxGradNorm' | 'seed' | 'weightDecay'>,
  ) {
    this.architecture = config.modelType === 'distilbert' ? 'DistilBertForQuestionAnswering' : 'BertForQuestionAnswering';
    this.parameterCount = graph.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    this.maxGradNorm = settings.maxGradNorm;
    this.seed = settings.seed;
    const trainable = graph.gradients.map(({ weight }) => ({ name: weight, shape: tensors.get(weight)!.shape, data: tensors.get(weight)!.data }));
    this.optimizer = new Float32AdamW(trainable, { weightDecay: settings.weightDecay });
  }

  get report(): EngineReport {
    const r = this.session.report;
    return { name: 'onnx', provider: r.provider, threads: r.threads, skipped: r.skipped.map((s) => ({ name: s.name, reason: s.reason })) };
  }

  async computeStep(features: readonly QaFeature[], planned: PlannedStep): Promise<{ loss: number; gradNorm: number }> {
    let loss = 0;
    let grads: Map<string, Float32Array> | undefined;
    for (let m = 0; m < planned.microBatches.length; m++) {
      const batch = planned.microBatches[m]!.map((i) => features[i]!);
      const out = await this.session.run(this.feeds(batch, planned.weights[m]!, deriveSeed(this.seed, planned.step, m)));
      loss += (out[LOSS_OUTPUT]!.data as Float32Array)[0]! * planned.weights[m]!;
      grads = accumulate(grads, this.graph, out);
      await yieldToEvents();
    }
    const norm = globalNorm(grads!.values());
    this.pending = { grads: grads!, norm };
    return { loss, gradNorm: norm };
  }

  update(learningRate: number): void {
    if (!this.pending) throw new Error('update() without computed gradients');
    const scale = this.maxGradNorm > 0 ? clipScale(this.pending.norm, this.maxGradNorm) : 1;
    this.optimizer.step(this.pending.grads, learningRate, scale);
    this.pending = undefined;
  }

  discardGradients(): void {
    this.pending = undefined;
  }

  async evaluate(examples: QaExample[], features: QaFeature[], options: { version2WithNegative: boolean; signal: AbortSignal }): Promise<SquadScores> {
    // Without the CPU arena, the memory of a validation pass goes back once it ends: the training
    // session's arena keeps its own, and the micro-batches were sized for that one.
    this.validation ??= await createSession(buildQaGraphWithWeightInputs(this.config).bytes, {
      label: 'the validation graph', provider: this.session.provider, threads: this.session.threads, sessionOptions: { enableCpuMemArena: false },
    });
    const session = this.validation;
    const weights = Object.fromEntries(this.graph.weights.map((w) => [w.name, session.tensor('float32', this.tensors.get(w.name)!.data, w.shape)]));
    // A window of inference needs a fraction of a training window's memory: twice the micro-batch stays within the plan.
    const batchSize = Math.min(QA_DEFAULTS.batchSize, 2 * this.microBatchSize);
    const { start, end } = await computeOnnxLogits(session, features, { batchSize, signal: options.signal, extraFeeds: weights });
    return squadScores(examples, features, { start, end }, options.version2WithNegative);
  }

  async saveModel(dir: string, tokenizerDir: string): Promise<void> {
    await saveQaWeights(dir, { config: this.config, tensors: this.tensors }, tokenizerDir);
  }

  optimizerState(): AdamWState {
    return this.optimizer.getState();
  }

  async dispose(): Promise<void> {
    await this.session.release();
    await this.validation?.release();
  }

  /**
   * Micro-batch size from measured memory. On the CPU provider the step's memory is the process's:
   * one step of 1 window and one of 2 measure the peak resident memory, their difference is the cost
   * of a window, and the micro-batch is the most windows whose predicted peak stays within 85% of the
   * memory the machine has free (or SPANTUNE_MEMORY_LIMIT). A model that cannot train one window is
   * refused before the first measurement from a lower bound of its needs, or after it from the figure.
   * CUDA keeps the step's memory on the GPU: the micro-batch is what the GPU's free memory (nvidia-smi)
   * holds at twice the lower bound per window (gpuMicroBatch). WebGPU has no way to ask: the whole
   * batch is tried there. A GPU provider that runs out falls back to the next (the session says so).
   */
  async planMemory(features: readonly QaFeature[], batchSize: number, seq: number): Promise<void> {
    if (this.session.provider !== 'cpu') {
      const free = this.session.provider === 'cuda' ? nvidiaFreeMemory() : undefined;
      const where = describeProviders(this.session.report);
      if (free === undefined) {
        this.microBatchSize = batchSize;
        this.memoryNote = `the whole batch on ${where}`;
        return;
      }
      this.microBatchSize = gpuMicroBatch(this.config, this.parameterCount, seq, batchSize, free);
      this.memoryNote = `${(free / GIB).toFixed(1)} GiB free on the GPU (${where})`;
      return;
    }
    const limit = residentLimit();
    const fixed = fixedTrainingBytes(this.parameterCount);
    const lowerBound = residentBytes() + fixed + onnxWindowLowerBound(this.config, seq);
    if (lowerBound > limit) throw this.tooLarge(lowerBound - residentBytes(), limit - residentBytes(), seq);

    const probe = async (windows: number) => {
      const batch = Array.from({ length: windows }, (_, i) => features[i % features.length]!);
      // The optimizer's moments (allocated at the first update) count too: weights, moments and a step's gradients.
      return measurePeakResident(async () => {
        await this.session.run(this.feeds(batch, 1, 0));
      });
    };
    const one = await probe(1);
    const two = batchSize > 1 ? await probe(2) : undefined;
    const measured = one !== undefined && two !== undefined && two > one;
    const perWindow = measured ? two! - one! : 2 * onnxWindowLowerBound(this.config, seq);
    // Beyond the step's own peak: AdamW's two moments, and the accumulated gradients of a split step.
    const base = (one ?? lowerBound) - perWindow + 3 * 4 * this.parameterCount;
    const fits = Math.floor((limit - base) / perWindow);
    if (fits < 1) throw this.tooLarge(base + perWindow - residentBytes(), limit - residentBytes(), seq);
    this.microBatchSize = Math.min(batchSize, fits);
    this.memoryPlan = { limit, base, perWindow, measured, predictedPeak: base + this.microBatchSize * perWindow };
    const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
    this.memoryNote = `${measured ? 'measured' : 'estimated'} ${mib(perWindow)} per ${seq}-token window over ${mib(base)}; ` +
      `${(limit / GIB).toFixed(1)} GiB usable, predicted peak ${((base + this.microBatchSize * perWindow) / GIB).toFixed(2)} GiB`;
  }

  private tooLarge(need: number, have: number, seq: number): UserError {
    const { numHiddenLayers: layers, hiddenSize: hidden } = this.config;
    return new UserError(
      `the model (${(this.parameterCount / 1e6).toFixed(1)}M parameters, ${layers} layers × ${hidden}) needs about ${(need / GIB).toFixed(1)} GiB ` +
        `to train one ${seq}-token window, more than the ${(Math.max(0, have) / GIB).toFixed(1)} GiB this machine has free: ` +
        'use a smaller model, a shorter --max-seq-length, close other programs, or train on a machine with more memory',
    );
  }

  /** Weights, batch, loss weight and dropout masks of one micro-batch. */
  private feeds(batch: readonly QaFeature[], lossWeight: number, microSeed: number): Record<string, OrtTensor> {
    const s = this.session;
    const feeds: Record<string, OrtTensor> = { ...this.batchInputs(s, batch) };
    for (const w of this.graph.weights) feeds[w.name] = s.tensor('float32', this.tensors.get(w.name)!.data, w.shape);
    const positions = (pick: (f: QaFeature) => number | undefined) => s.tensor('int64', BigInt64Array.from(batch, (f) => BigInt(pick(f) ?? 0)), [batch.length]);
    feeds.start_positions = positions((f) => f.startPosition);
    feeds.end_positions = positions((f) => f.endPosition);
    feeds[LOSS_WEIGHT_INPUT] = s.tensor('float32', Float32Array.of(lossWeight), []);
    const seq = batch[0]!.inputIds.length;
    // The k-th site's mask is drawn with seed (micro-batch seed + k), sites counted from 1 (see dropout.ts).
    this.graph.dropout.forEach(({ site, input }, k) => {
      if (!input) return;
      const shape = dropoutMaskShape(site, batch.length, seq);
      feeds[input] = s.tensor('float32', fillDropoutMask(this.maskBuffer(site.name, shape), site.probability, microSeed + k + 1), shape);
    });
    return feeds;
  }

  /** A reused buffer per site and size: masks are drawn afresh into it for every micro-batch. */
  private maskBuffer(site: string, shape: number[]): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1);
    let buffer = this.masks.get(site);
    if (buffer?.length !== size) {
      buffer = new Float32Array(size);
      this.masks.set(site, buffer);
    }
    return buffer;
  }

  private batchInputs(session: OnnxSession, batch: readonly QaFeature[]): Record<string, OrtTensor> {
    const seq = batch[0]!.inputIds.length;
    const rows = (pick: (f: QaFeature) => Int32Array) => {
      const data = new BigInt64Array(batch.length * seq);
      batch.forEach((f, r) => pick(f).forEach((v, t) => (data[r * seq + t] = BigInt(v))));
      return session.tensor('int64', data, [batch.length, seq]);
    };
    const inputs: Record<string, OrtTensor> = { input_ids: rows((f) => f.inputIds), attention_mask: rows((f) => f.attentionMask) };
    if (this.config.modelType !== 'distilbert') inputs.token_type_ids = rows((f) => f.tokenTypeIds);
    return inputs;
  }
}

/** Adds a micro-batch's gradients to the step's (the first micro-batch's arrays become the sums). */
function accumulate(sums: Map<string, Float32Array> | undefined, graph: TrainingGraph, out: Record<string, OrtTensor>): Map<string, Float32Array> {
  if (!sums) return new Map(graph.gradients.map(({ weight, output }) => [weight, out[output]!.data as Float32Array]));
  for (const { weight, output } of graph.gradients) {
    const sum = sums.get(weight)!;
    const add = out[output]!.data as Float32Array;
    for (let i = 0; i < sum.length; i++) sum[i] += add[i]!;
  }
  return sums;
}

/**
 * Windows per micro-batch on a CUDA GPU with `free` bytes: 85% of it must hold the weights fed in
 * and the gradients returned (8 bytes a parameter) and, per window, twice the lower bound of the
 * graph's activations. A model that cannot train one window is refused at once, naming its size.
 */
export function gpuMicroBatch(config: ModelConfig, parameterCount: number, seq: number, batchSize: number, free: number): number {
  const usable = 0.85 * free;
  const fixed = 8 * parameterCount;
  const perWindow = 2 * onnxWindowLowerBound(config, seq);
  const fits = Math.floor((usable - fixed) / perWindow);
  if (fits < 1) {
    const { numHiddenLayers: layers, hiddenSize: hidden } = config;
    throw new UserError(
      `the model (${(parameterCount / 1e6).toFixed(1)}M parameters, ${layers} layers × ${hidden}) needs about ${((fixed + perWindow) / 0.85 / GIB).toFixed(1)} GiB ` +
        `of GPU memory to train one ${seq}-token window, more than the ${(free / GIB).toFixed(1)} GiB the GPU has free: ` +
        'use a smaller model, a shorter --max-seq-length, close other programs using the GPU, or train on the CPU (--provider cpu)',
    );
  }
  return Math.min(batchSize, fits);
}

/**
 * Bytes the training graph must hold per window at the least, whatever ONNX Runtime's planning: per
 * layer the attention probabilities before and after dropout and their mask (3·nh·S²), about ten
 * hidden states (10·S·H) and two FFN activations (2·S·I), in float32.
 */
export function onnxWindowLowerBound(config: { numHiddenLayers: number; numAttentionHeads: number; hiddenSize: number; intermediateSize: number }, seq: number): number {
  const { numHiddenLayers: layers, numAttentionHeads: heads, hiddenSize: h, intermediateSize: i } = config;
  return 4 * layers * (3 * heads * seq * seq + 10 * seq * h + 2 * seq * i);
}

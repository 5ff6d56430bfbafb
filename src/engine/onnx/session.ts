/**
 * An ONNX Runtime session on the best provider that works, for any graph (question answering,
 * validation, training). `createSession(model, options)` walks the provider ladder: a provider that
 * cannot create the session, or later fails to run it, gives way to the next one, and the report
 * says so. A forced provider gets no fallback: its failure is the error.
 *
 *   const session = await createSession(bytes, { label: 'model ~/models/minilm' });
 *   const out = await session.run({ input_ids: session.tensor('int64', ids, [b, s]), ... });
 *   log(describeProviders(session.report));
 */
import { UserError } from '../errors';
import { openOptimizedCpuSession } from './optimized-graph';
import { physicalCores, planProviders, type ProviderName, type ProviderReport, type ProviderSkip } from './providers';
import { firstLine, loadOnnxRuntime, type OnnxRuntime, type OrtSession, type OrtSessionOptions, type OrtTensor, type RuntimeLocation } from './runtime';

export interface SessionOptions extends RuntimeLocation {
  /** What runs, for messages: "model /path/to/model" (errors name it with the provider). */
  label: string;
  /** Use only this provider (no fallback). */
  provider?: ProviderName;
  /** Try exactly these providers in this order, falling back along them (default: the machine's ladder). */
  ladder?: ProviderName[];
  /** An already loaded runtime (default: loadOnnxRuntime()). */
  runtime?: OnnxRuntime;
  /** Intra-op threads of the CPU provider (default: one per physical core). */
  threads?: number;
  /** Long reasons and fallbacks, as they happen (the output channel, --verbose). */
  onLog?: (line: string) => void;
  /**
   * For a graph file kept on disk: the CPU provider opens its optimized copy, saved on first use
   * (optimized-graph.ts), instead of optimizing the graph again in every new process.
   */
  keepOptimizedGraph?: boolean;
  /** Extra ONNX Runtime session options (e.g. training turns off the memory pattern). */
  sessionOptions?: Partial<OrtSessionOptions>;
}

type Feeds = Record<string, OrtTensor>;
type TensorType = 'float32' | 'int64' | 'int32' | 'bool';
type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export class OnnxSession {
  private constructor(
    readonly runtime: OnnxRuntime,
    private readonly model: Uint8Array | string,
    private readonly options: SessionOptions,
    private current: OrtSession,
    private providerIndex: number,
    private readonly candidates: ProviderName[],
    private readonly skipped: ProviderSkip[],
    readonly threads: number,
  ) {}

  static async create(model: Uint8Array | string, options: SessionOptions): Promise<OnnxSession> {
    const runtime = options.runtime ?? loadOnnxRuntime(options);
    for (const note of runtime.notes) options.onLog?.(note);
    const plan = options.ladder && !options.provider
      ? { candidates: options.ladder, skipped: [] }
      : planProviders({ backends: runtime.ort.listSupportedBackends(), binaryDir: runtime.binaryDir }, options.provider);
    const threads = options.threads ?? physicalCores();
    const skipped = [...plan.skipped];
    for (let i = 0; i < plan.candidates.length; i++) {
      const provider = plan.candidates[i]!;
      try {
        const session = await openSession(runtime, model, provider, threads, options);
        return new OnnxSession(runtime, model, options, session, i, plan.candidates, skipped, threads);
      } catch (error) {
        const reason = `failed to start: ${firstLine(error)}`;
        if (options.provider || i === plan.candidates.length - 1) throw providerError(options.label, provider, 'start', error);
        skipped.push({ name: provider, reason: 'failed to start', detail: `${reason} (${options.label})` });
        options.onLog?.(`onnxruntime ${provider} could not start ${options.label} (${firstLine(error)}); trying ${plan.candidates[i + 1]}`);
      }
    }
    throw new UserError(`no ONNX Runtime provider could start ${options.label}`);
  }

  get provider(): ProviderName {
    return this.candidates[this.providerIndex]!;
  }

  get report(): ProviderReport {
    return { provider: this.provider, threads: this.provider === 'cpu' ? this.threads : undefined, skipped: [...this.skipped] };
  }

  get inputNames(): readonly string[] {
    return this.current.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.current.outputNames;
  }

  /** A tensor of this runtime (tensors of another onnxruntime-node copy would not do). */
  tensor(type: TensorType, data: TensorData, dims: readonly number[]): OrtTensor {
    return new this.runtime.ort.Tensor(type, data, dims);
  }

  /**
   * Runs the graph. If the provider fails (a GPU out of memory, a kernel it lacks), the session moves
   * to the next provider of the ladder, says so, and runs there; a forced provider, or the last one,
   * throws one error naming the model and the provider.
   */
  async run(feeds: Feeds): Promise<Record<string, OrtTensor>> {
    for (;;) {
      try {
        return await this.current.run(feeds);
      } catch (error) {
        const next = this.candidates[this.providerIndex + 1];
        if (this.options.provider || !next) throw providerError(this.options.label, this.provider, 'run', error);
        const failed = this.provider;
        this.skipped.push({ name: failed, reason: 'failed to run', detail: `failed to run ${this.options.label}: ${firstLine(error)}` });
        this.options.onLog?.(`onnxruntime ${failed} failed to run ${this.options.label} (${firstLine(error)}); moving to ${next}`);
        await this.current.release().catch(() => undefined);
        this.providerIndex++;
        this.current = await openSession(this.runtime, this.model, next, this.threads, this.options).catch((startError: unknown) => {
          throw providerError(this.options.label, next, 'start', startError);
        });
      }
    }
  }

  async release(): Promise<void> {
    await this.current.release();
  }
}

/** Opens a session of `model` on `provider` (see OnnxSession). */
export function createSession(model: Uint8Array | string, options: SessionOptions): Promise<OnnxSession> {
  return OnnxSession.create(model, options);
}

async function openSession(runtime: OnnxRuntime, model: Uint8Array | string, provider: ProviderName, threads: number, options: SessionOptions): Promise<OrtSession> {
  const sessionOptions: OrtSessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    ...options.sessionOptions,
  };
  const { InferenceSession } = runtime.ort;
  if (typeof model !== 'string') return InferenceSession.create(model, sessionOptions);
  if (provider === 'cpu' && options.keepOptimizedGraph) {
    return openOptimizedCpuSession((file, fileOptions) => InferenceSession.create(file, fileOptions), model, sessionOptions, runtime.ort.env.versions.common, options.onLog);
  }
  return InferenceSession.create(model, sessionOptions);
}

function providerError(label: string, provider: ProviderName, what: 'start' | 'run', error: unknown): UserError {
  const verb = what === 'start' ? 'could not load' : 'failed to run';
  return new UserError(`ONNX Runtime (${provider} provider) ${verb} ${label}: ${firstLine(error)}`, { cause: error });
}

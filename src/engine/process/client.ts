/**
 * Starts the engine process and talks to it. Used by the CLI and by the extension host alike: the
 * caller gets structured events, can cancel, and survives the engine dying (out of memory, a native
 * crash, kill -9): every job then ends with a `failed` event and the next request starts a new process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants, getPriority, setPriority } from 'node:os';
import * as path from 'node:path';
import type { ChatBackend } from '../generate/llm/chat';
import type { GenerationOutcome } from '../generate/run';
import type { ProgressCallback } from '../generate/types';
import type { EngineEvent, EngineRequest, GenerateSettings, PredictSettings, TrainSettings } from './protocol';

/**
 * A scheduling priority below this process's own: os.setPriority takes absolute values, so "below
 * normal" (10) would be no lower than an editor that itself runs niced (as under `nice npm test`).
 */
export function priorityBelowThisProcess(): number {
  return Math.min(constants.priority.PRIORITY_LOW, getPriority() + constants.priority.PRIORITY_BELOW_NORMAL);
}

export interface EngineClientOptions {
  /** The engine's entry script; defaults to dist/engine-process.mjs beside this bundle. */
  enginePath?: string;
  /** Node flags for the engine process (e.g. ['--import', 'tsx'] to run from source). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: EngineEvent) => void;
  /** Lines the engine writes to stdout/stderr (native libraries print there). */
  onOutput?: (line: string) => void;
  /**
   * Scheduling priority of the engine process (os.setPriority: 19 lowest, 0 normal). The extension
   * runs training below its own priority (priorityBelowThisProcess), so that its threads, which take every core, leave the editor responsive.
   */
  priority?: number;
}

/** A job whose caller awaits its result (a prediction, a generation). */
interface JobWaiter {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  onProgress?: ProgressCallback;
  /** The caller's language model, which answers the engine's chat requests; aborted when the job ends. */
  chat?: { backend: ChatBackend; abort: AbortController };
}

export interface GenerateHooks {
  onProgress?: ProgressCallback;
  /** Lends a language model to the job (needed when settings.chatModel is set). */
  chat?: ChatBackend;
  /** Cancels the job; the promise then rejects with an EngineProcessError that says so. */
  signal?: AbortSignal;
}

export class EngineProcessError extends Error {
  constructor(
    message: string,
    readonly userError: boolean,
  ) {
    super(message);
  }
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private readonly activeJobs = new Set<string>();
  private readonly waiters = new Map<string, JobWaiter>();

  constructor(private readonly options: EngineClientOptions = {}) {}

  /** Starts a training job; its progress arrives as events. Returns the job id. */
  train(settings: TrainSettings): string {
    const jobId = randomUUID();
    this.send({ type: 'train', jobId, settings }, jobId);
    return jobId;
  }

  /** Runs a prediction job and resolves with its results; `signal` cancels it (the promise then rejects, saying so). */
  predict(settings: PredictSettings, hooks: { signal?: AbortSignal; onProgress?: ProgressCallback } = {}): Promise<unknown> {
    const jobId = randomUUID();
    return new Promise((resolve, reject) => {
      this.waiters.set(jobId, { resolve, reject, onProgress: hooks.onProgress });
      hooks.signal?.addEventListener('abort', () => this.cancel(jobId), { once: true });
      this.send({ type: 'predict', jobId, settings }, jobId);
      if (hooks.signal?.aborted) this.cancel(jobId);
    });
  }

  /** Runs a generation job (generators, language model, round-trip filter) and resolves with its dataset and reports. */
  generate(settings: GenerateSettings, hooks: GenerateHooks = {}): Promise<GenerationOutcome> {
    if (settings.chatModel && !hooks.chat) throw new Error('generate: settings.chatModel needs hooks.chat');
    const jobId = randomUUID();
    const onAbort = () => this.cancel(jobId);
    return new Promise<GenerationOutcome>((resolve, reject) => {
      const chat = hooks.chat ? { backend: hooks.chat, abort: new AbortController() } : undefined;
      this.waiters.set(jobId, { resolve: (outcome) => resolve(outcome as GenerationOutcome), reject, onProgress: hooks.onProgress, chat });
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'generate', jobId, settings }, jobId);
      if (hooks.signal?.aborted) this.cancel(jobId);
    }).finally(() => hooks.signal?.removeEventListener('abort', onAbort));
  }

  /** Asks a job to stop at its next step boundary (training saves a checkpoint first). */
  cancel(jobId: string): void {
    if (this.activeJobs.has(jobId)) this.child?.send({ type: 'cancel', jobId } satisfies EngineRequest);
  }

  get busy(): boolean {
    return this.activeJobs.size > 0;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops the engine process (jobs still running end as failed). */
  dispose(): void {
    const child = this.child;
    if (!child) return;
    if (child.connected) child.send({ type: 'shutdown' } satisfies EngineRequest);
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  }

  private send(request: EngineRequest, jobId: string): void {
    this.activeJobs.add(jobId);
    this.ensureChild().send(request);
  }

  private ensureChild(): ChildProcess {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) return this.child;
    const enginePath = this.options.enginePath ?? path.join(__dirname, 'engine-process.mjs');
    const child = fork(enginePath, [], {
      execArgv: this.options.execArgv ?? ['--max-old-space-size=8192'],
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    if (this.options.priority !== undefined && child.pid !== undefined) {
      try {
        setPriority(child.pid, this.options.priority);
      } catch (error) {
        this.options.onOutput?.(`engine process priority not set: ${(error as Error).message}`);
      }
    }
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim()) this.options.onOutput?.(line);
      });
    }
    child.on('message', (message) => this.handle(message as EngineEvent));
    child.on('exit', (code, signal) => this.handleExit(child, code, signal));
    child.on('error', (error) => this.options.onOutput?.(`engine process error: ${error.message}`));
    return child;
  }

  private handle(event: EngineEvent): void {
    if ('jobId' in event) {
      const waiter = this.waiters.get(event.jobId);
      if (waiter) this.answerWaiter(waiter, event);
      if (event.type === 'finished' || event.type === 'failed' || event.type === 'cancelled' || event.type === 'predictions' || event.type === 'generated') {
        this.activeJobs.delete(event.jobId);
        this.waiters.delete(event.jobId);
        waiter?.chat?.abort.abort(new Error('the job ended'));
      }
    }
    this.options.onEvent?.(event);
  }

  private answerWaiter(waiter: JobWaiter, event: Extract<EngineEvent, { jobId: string }>): void {
    switch (event.type) {
      case 'predictions':
        return waiter.resolve(event.results);
      case 'generated':
        return waiter.resolve(event.outcome);
      case 'failed':
        return waiter.reject(new EngineProcessError(event.reason, event.userError));
      case 'cancelled':
        return waiter.reject(new EngineProcessError('cancelled', true));
      case 'progress':
        return waiter.onProgress?.(event.done, event.total, event.what);
      case 'chatRequest':
        return void this.answerChat(waiter, event);
    }
  }

  /** Asks the caller's language model on the engine's behalf and sends back its reply or its error. */
  private async answerChat(waiter: JobWaiter, event: Extract<EngineEvent, { type: 'chatRequest' }>): Promise<void> {
    const reply: Extract<EngineRequest, { type: 'chatReply' }> = { type: 'chatReply', jobId: event.jobId, requestId: event.requestId };
    if (!waiter.chat) {
      reply.error = 'no language model was lent to this job';
    } else {
      try {
        reply.reply = await waiter.chat.backend.complete(event.request, waiter.chat.abort.signal);
      } catch (error) {
        reply.error = (error as Error)?.message ?? String(error);
      }
    }
    if (this.activeJobs.has(event.jobId)) this.child?.send(reply);
  }

  private handleExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = undefined;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const hint = signal === 'SIGKILL' ? ' (killed from outside, or by the system for lack of memory)' : '';
    for (const jobId of [...this.activeJobs]) {
      this.handle({ type: 'failed', jobId, reason: `the engine process ${how}${hint}; the run can be resumed from its last checkpoint`, userError: false });
    }
  }
}

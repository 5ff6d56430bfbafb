/**
 * Starts the engine process and talks to it. Used by the CLI and by the extension host alike: the
 * caller gets structured events, can cancel, and survives the engine dying (out of memory, a native
 * crash, kill -9): every job then ends with a `failed` event and the next request starts a new process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { EngineEvent, EngineRequest, PredictSettings, TrainSettings } from './protocol';

export interface EngineClientOptions {
  /** The engine's entry script; defaults to dist/engine-process.js beside this bundle. */
  enginePath?: string;
  /** Node flags for the engine process (e.g. ['--import', 'tsx'] to run from source). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  onEvent?: (event: EngineEvent) => void;
  /** Lines the engine writes to stdout/stderr (native libraries print there). */
  onOutput?: (line: string) => void;
}

type PredictionWaiter = { resolve: (results: unknown) => void; reject: (error: Error) => void };

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
  private readonly predictions = new Map<string, PredictionWaiter>();

  constructor(private readonly options: EngineClientOptions = {}) {}

  /** Starts a training job; its progress arrives as events. Returns the job id. */
  train(settings: TrainSettings): string {
    const jobId = randomUUID();
    this.send({ type: 'train', jobId, settings }, jobId);
    return jobId;
  }

  /** Runs a prediction job and resolves with its results. */
  predict(settings: PredictSettings): Promise<unknown> {
    const jobId = randomUUID();
    return new Promise((resolve, reject) => {
      this.predictions.set(jobId, { resolve, reject });
      this.send({ type: 'predict', jobId, settings }, jobId);
    });
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
    const enginePath = this.options.enginePath ?? path.join(__dirname, 'engine-process.js');
    const child = fork(enginePath, [], {
      execArgv: this.options.execArgv ?? ['--max-old-space-size=8192'],
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
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
      const waiter = this.predictions.get(event.jobId);
      if (event.type === 'predictions' && waiter) {
        waiter.resolve(event.results);
      } else if (event.type === 'failed' && waiter) {
        waiter.reject(new EngineProcessError(event.reason, event.userError));
      }
      if (event.type === 'finished' || event.type === 'failed' || event.type === 'cancelled' || event.type === 'predictions') {
        this.activeJobs.delete(event.jobId);
        this.predictions.delete(event.jobId);
      }
    }
    this.options.onEvent?.(event);
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

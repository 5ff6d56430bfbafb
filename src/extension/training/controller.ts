/**
 * Fine-tune on Workspace: checks what it can before starting (trust, model, dataset, splits), says
 * what it will do, runs the job in the engine process, and keeps the run record, the progress
 * notification, the status bar item and the dashboard up to date from the engine's events.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import type { EngineEvent, TrainSettings } from '../../engine/process/protocol';
import { readModelConfig } from '../../engine/checkpoint/config';
import { QA_DEFAULTS } from '../../engine/qa/defaults';
import { flattenExamples, writeSquadFile } from '../../engine/squad/dataset';
import { countWindows, estimateTraining, trainingEngineKey, type TrainingEngineKey, type TrainingEstimate } from '../../engine/train/estimate';
import { loadTokenizer } from '../../engine/tokenizer/load';
import type { DatasetStore } from '../dataset-store';
import { buildTrainingSets } from '../logic/workspace-dataset';
import { output } from '../output';
import { readSettings, resolveInWorkspace } from '../settings';
import type { Engine } from './engine';
import { RunStore, type RunRecord } from './runs';

export function requireTrust(what: string): void {
  if (!vscode.workspace.isTrusted) throw new UserError(`${what} is turned off in Restricted Mode: trust this workspace to use it`);
}

/** The configured base model folder, checked. */
export function baseModelDir(folder: vscode.WorkspaceFolder): string {
  const configured = readSettings().baseModel;
  if (!configured) throw new UserError('No base model yet: run "SpanTune: Select Base Model" (a folder with config.json and the weights)');
  const dir = resolveInWorkspace(folder, configured);
  if (!existsSync(path.join(dir, 'config.json'))) throw new UserError(`${dir} is not a model folder (no config.json); check the setting spantune.baseModel`);
  return dir;
}

interface CurrentJob {
  run: RunRecord;
  jobId: string;
  finished: Promise<void>;
  resolveFinished: () => void;
  lastSaved: number;
  /** The run's saves, one after the other: a late periodic save must never land after the final one. */
  saving: Promise<void>;
  delay: ReturnType<typeof monitorEventLoopDelay>;
}

export class TrainingController implements vscode.Disposable {
  readonly runs: RunStore;
  private current: CurrentJob | undefined;
  private readonly changed = new vscode.EventEmitter<RunRecord | undefined>();
  /** Fires with the running job's record on each event, and with undefined when the run list changed. */
  readonly onDidChange = this.changed.event;
  private readonly statusBar = vscode.window.createStatusBarItem('spantune.training', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly store: DatasetStore,
    private readonly engine: Engine,
  ) {
    this.runs = new RunStore(path.join(store.folder.uri.fsPath, '.spantune', 'runs'));
    this.statusBar.name = 'SpanTune Training';
    this.statusBar.command = 'spantune.openDashboard';
    this.disposables.push(this.statusBar, this.changed, engine.onEvent((e) => this.onEngineEvent(e)));
  }

  get running(): RunRecord | undefined {
    return this.current?.run;
  }

  /** Ended runs whose final run.json is still being written (a slow disk must not hide their end). */
  private readonly unsaved = new Map<string, RunRecord>();

  /** Every run, newest first; the state in memory wins over run.json, which can lag behind it. */
  async listRuns(): Promise<RunRecord[]> {
    const live = new Map<string, RunRecord>();
    if (this.current) live.set(this.current.run.id, this.current.run);
    for (const run of this.unsaved.values()) live.set(run.id, run);
    const saved = await this.runs.list();
    return [...live.values(), ...saved.filter((r) => !live.has(r.id))];
  }

  /** The model the QA panel uses by default: the one made active, else the base model. */
  activeModel(): string | undefined {
    return this.context.workspaceState.get<string>('spantune.activeModel');
  }

  /**
   * A model as people know it: "the model of run 20250601-120000 (best checkpoint)" for a run's
   * model, "the base model (name)" otherwise — not the folder's last part ("best", "model").
   */
  async modelName(dir: string): Promise<string> {
    const resolved = path.resolve(dir);
    const run = (await this.listRuns()).find((r) => resolved === path.resolve(r.modelDir ?? '') || resolved.startsWith(`${this.runs.runDir(r.id)}${path.sep}`));
    if (run) return `the model of run ${run.id}${path.basename(resolved) === 'best' ? ' (best checkpoint)' : ''}`;
    const base = readSettings().baseModel;
    return `the base model (${path.basename(resolved) || base})`;
  }

  async setActiveModel(dir: string | undefined): Promise<void> {
    await this.context.workspaceState.update('spantune.activeModel', dir);
    this.changed.fire(undefined);
  }

  /** Starts a run (or resumes a cancelled one); resolves with its id once it started. */
  async fineTune(options: { confirm?: boolean; resumeRunId?: string } = {}): Promise<string | undefined> {
    requireTrust('Training');
    if (this.current) throw new UserError('A training run is already in progress; cancel it first');
    const previous = await this.runs.list();
    let run: RunRecord;
    if (options.resumeRunId) {
      const old = previous.find((r) => r.id === options.resumeRunId);
      if (!old) throw new UserError(`No training run "${options.resumeRunId}"`);
      run = { ...old, status: 'running', ended: undefined, reason: undefined, settings: { ...old.settings, resume: true } };
    } else {
      run = await this.prepareRun();
    }
    if (options.confirm !== false) {
      const choice = await vscode.window.showInformationMessage(this.plan(run, this.estimate(run)), { modal: true }, 'Start Training');
      if (choice !== 'Start Training') return undefined;
    }
    await this.runs.save(run);
    const jobId = this.engine.get('training').train(run.settings);
    let resolveFinished = () => {};
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    this.current = { run, jobId, finished, resolveFinished, lastSaved: 0, saving: Promise.resolve(), delay };
    void vscode.commands.executeCommand('setContext', 'spantune.training', true);
    this.statusBar.text = '$(sync~spin) SpanTune: starting…';
    this.statusBar.tooltip = 'SpanTune training — click for the dashboard';
    this.statusBar.show();
    this.showProgress(run, finished);
    output().info(`Training run ${run.id} started (job ${jobId}): ${JSON.stringify(run.settings)}`);
    this.changed.fire(run);
    return run.id;
  }

  private async prepareRun(): Promise<RunRecord> {
    const folder = this.store.folder;
    const modelDir = baseModelDir(folder);
    await this.store.flush();
    if (this.store.state.kind === 'broken') throw new UserError(this.store.state.problem);
    const s = readSettings();
    const sets = buildTrainingSets(this.store.dataset, { includeUnreviewed: s.includeUnreviewed, validationFraction: s.validationSplit });
    const count = (d: typeof sets.train) => d.data.reduce((n, a) => n + a.paragraphs.reduce((m, p) => m + p.qas.length, 0), 0);
    const trainCount = count(sets.train);
    if (trainCount === 0) {
      throw new UserError('No questions to train on: add questions (or accept generated ones, or set spantune.includeUnreviewed); stale questions are left out');
    }
    const windows = await this.countRunWindows(modelDir, sets, s.maxSeqLength, s.docStride);
    const id = this.runs.newRunId();
    const dir = this.runs.runDir(id);
    await mkdir(dir, { recursive: true });
    const trainFile = path.join(dir, 'train.json');
    await writeSquadFile(trainFile, sets.train);
    let validationFile: string | undefined;
    if (count(sets.validation) > 0) {
      validationFile = path.join(dir, 'validation.json');
      await writeSquadFile(validationFile, sets.validation);
    }
    const settings: TrainSettings = {
      modelDir,
      trainFile,
      validationFile,
      outputDir: path.join(dir, 'model'),
      epochs: s.epochs,
      maxSteps: s.maxSteps > 0 ? s.maxSteps : undefined,
      batchSize: s.batchSize,
      gradAccum: s.gradientAccumulation,
      learningRate: s.learningRate,
      warmupRatio: s.warmupRatio,
      weightDecay: s.weightDecay,
      maxGradNorm: s.maxGradNorm,
      dropout: s.dropout,
      evalEvery: s.evalEvery,
      earlyStoppingPatience: s.earlyStoppingPatience,
      seed: s.seed,
      maxSeqLength: s.maxSeqLength,
      docStride: s.docStride,
      maxQueryLength: QA_DEFAULTS.maxQueryLength,
      version2WithNegative: true,
      backend: s.backend,
      provider: s.provider,
      threads: s.threads,
      includeUnreviewed: s.includeUnreviewed,
    };
    return {
      id,
      started: new Date().toISOString(),
      status: 'running',
      settings,
      trainExamples: trainCount,
      validationExamples: count(sets.validation),
      ...windows,
      steps: [],
      evals: [],
    };
  }

  /** The windows the run will train and validate on, cut with the model's own tokenizer as the trainer cuts them. */
  private async countRunWindows(modelDir: string, sets: ReturnType<typeof buildTrainingSets>, maxSeqLength: number, docStride: number) {
    const [tokenizer, config] = await Promise.all([loadTokenizer(modelDir), readModelConfig(modelDir)]);
    const options = { maxSeqLength, docStride, maxQueryLength: QA_DEFAULTS.maxQueryLength };
    return {
      trainWindows: countWindows(flattenExamples(sets.train), tokenizer, options),
      validationWindows: countWindows(flattenExamples(sets.validation), tokenizer, options),
      shape: `${config.modelType} ${config.numHiddenLayers}×${config.hiddenSize} (FFN ${config.intermediateSize}), ${maxSeqLength} tokens`,
      modelSize: { hiddenSize: config.hiddenSize, intermediateSize: config.intermediateSize, numHiddenLayers: config.numHiddenLayers },
    };
  }

  /** The training speeds measured on this machine, by backend and model shape (kept across workspaces). */
  private recordedSpeeds(): Record<string, { windowsPerSecond: number; measured: string }> {
    return this.context.globalState.get('spantune.trainingSpeeds', {});
  }

  private speedKey(backend: string, shape: string): string {
    return `${backend} · ${shape}`;
  }

  /**
   * The engine the run will likely train on: the one its settings name, else the one the last run
   * got, else ONNX Runtime's CPU provider (the default wherever ONNX Runtime loads).
   */
  private expectedEngine(run: RunRecord): TrainingEngineKey {
    const { backend, provider } = run.settings;
    if (backend && backend !== 'onnx') return backend;
    if (provider) return trainingEngineKey({ name: 'onnx', provider });
    const last = this.context.globalState.get<TrainingEngineKey>('spantune.lastTrainingEngine');
    if (backend === 'onnx') return last?.startsWith('onnx ') ? last : trainingEngineKey({ name: 'onnx' });
    return last ?? trainingEngineKey({ name: 'onnx' });
  }

  private estimate(run: RunRecord): { estimate: TrainingEstimate; measured: boolean; engine: TrainingEngineKey } | undefined {
    const { modelSize, trainWindows, validationWindows, shape } = run;
    if (run.settings.resume || !modelSize || trainWindows === undefined || !shape) return undefined;
    const engine = this.expectedEngine(run);
    const measured = this.recordedSpeeds()[this.speedKey(engine, shape)]?.windowsPerSecond;
    const s = run.settings;
    const epochs = Math.ceil(s.epochs);
    const validations = (validationWindows ?? 0) > 0 ? 1 + epochs + (s.evalEvery ? Math.floor((trainWindows / s.batchSize / s.evalEvery) * s.epochs) : 0) : 0;
    const estimate = estimateTraining({
      config: modelSize,
      maxSeqLength: s.maxSeqLength,
      trainWindows,
      validationWindows: validationWindows ?? 0,
      epochs: s.epochs,
      maxSteps: s.maxSteps,
      batchSize: s.batchSize * (s.gradAccum ?? 1),
      validations,
      engine,
      measuredWindowsPerSecond: measured,
    });
    return estimate && { estimate, measured: measured !== undefined, engine };
  }

  /** Keeps the run's training speed for the next estimate of this model shape on this engine. */
  private async recordSpeed(run: RunRecord): Promise<void> {
    const engine = run.backend && trainingEngineKey(run.backend);
    const rates = run.steps.slice(2).map((step) => step.examplesPerSecond).filter((rate) => rate > 0);
    if (!engine || !run.shape || rates.length === 0) return;
    rates.sort((a, b) => a - b);
    const speeds = { ...this.recordedSpeeds(), [this.speedKey(engine, run.shape)]: { windowsPerSecond: rates[Math.floor(rates.length / 2)]!, measured: new Date().toISOString() } };
    await this.context.globalState.update('spantune.trainingSpeeds', speeds);
  }

  /** What the run will do and roughly how long it takes. */
  private plan(run: RunRecord, timing: ReturnType<TrainingController['estimate']>): string {
    const s = run.settings;
    const effectiveBatch = s.batchSize * (s.gradAccum ?? 1);
    const windows = run.trainWindows ?? run.trainExamples ?? 0;
    const stepsPerEpoch = Math.ceil(windows / effectiveBatch);
    const steps = s.maxSteps ? Math.min(s.maxSteps, Math.ceil(stepsPerEpoch * s.epochs)) : Math.ceil(stepsPerEpoch * s.epochs);
    const windowsOf = (n: number | undefined) => (n === undefined ? '' : ` (${n} window${n === 1 ? '' : 's'} of up to ${s.maxSeqLength} tokens)`);
    const validation = run.validationExamples ? `${run.validationExamples}${windowsOf(run.validationWindows)}` : 'none';
    const engineName = timing ? engineLabel(timing.engine) : undefined;
    const duration = !timing
      ? 'the dashboard shows the ETA after the first steps'
      : timing.measured
        ? `about ${formatDuration(timing.estimate.seconds)} at the ${timing.estimate.windowsPerSecond.toFixed(1)} windows/s measured for this model on ${engineName}`
        : `about ${formatDuration(timing.estimate.seconds)} on ${engineName} (${timing.estimate.windowsPerSecond.toFixed(1)} windows/s estimated from the model's size; the dashboard shows the measured ETA)`;
    const optimiser = [
      `learning rate ${s.learningRate}`,
      s.warmupRatio ? `warm-up ${s.warmupRatio}` : '',
      `weight decay ${s.weightDecay}`,
      s.maxGradNorm ? `clipping at ${s.maxGradNorm}` : 'no clipping',
      s.dropout !== undefined ? `dropout ${s.dropout}` : '',
      s.earlyStoppingPatience ? `early stopping after ${s.earlyStoppingPatience} validations without progress` : '',
    ].filter(Boolean);
    return [
      s.resume ? `Resume run ${run.id}.` : `Fine-tune ${path.basename(s.modelDir)} on ${run.trainExamples} question(s)${windowsOf(run.trainWindows)}; validate on ${validation}.`,
      `${s.epochs} epoch(s), about ${steps} step(s) of ${effectiveBatch} windows${s.gradAccum && s.gradAccum > 1 ? ` (${s.gradAccum} × ${s.batchSize})` : ''}; ${optimiser.join(', ')}.`,
      `Backend: ${s.backend ?? 'ONNX Runtime where it loads, else the fastest TensorFlow.js backend'}${s.provider ? ` (${s.provider})` : ''}. Time: ${duration}.`,
      'Training runs in a separate process; you can keep editing and cancel at any time (a checkpoint is kept).',
    ].join('\n');
  }

  private showProgress(run: RunRecord, finished: Promise<void>): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SpanTune: fine-tuning (${run.id})`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => this.cancel());
        let reported = 0;
        const listener = this.changed.event((r) => {
          if (r !== run || !r.totalSteps) return;
          const last = r.steps.at(-1);
          if (!last) return progress.report({ message: 'preparing…' });
          const percent = (100 * last.step) / r.totalSteps;
          progress.report({ increment: percent - reported, message: `step ${last.step}/${r.totalSteps} · loss ${last.loss.toFixed(3)} · ETA ${formatDuration(last.etaSeconds)}` });
          reported = percent;
        });
        return finished.finally(() => listener.dispose());
      },
    );
  }

  cancel(): void {
    if (!this.current) throw new UserError('No training run is in progress');
    this.engine.get('training').cancel(this.current.jobId);
    this.statusBar.text = '$(sync~spin) SpanTune: cancelling…';
  }

  /** Resolves when the running job (if any) has ended. */
  whenIdle(): Promise<void> {
    return this.current?.finished ?? Promise.resolve();
  }

  private onEngineEvent(event: EngineEvent): void {
    const job = this.current;
    if (!job || !('jobId' in event) || event.jobId !== job.jobId) return;
    const run = job.run;
    switch (event.type) {
      case 'started':
        run.backend = event.backend;
        void this.context.globalState.update('spantune.lastTrainingEngine', trainingEngineKey(event.backend));
        run.totalSteps = event.totalSteps;
        run.trainExamples = event.trainExamples;
        run.validationExamples = event.validationExamples;
        output().info(`Backend ${event.backend.provider ? `onnxruntime ${event.backend.provider}` : event.backend.name}${event.backend.skipped.map((s) => `; skipped ${s.name}: ${s.reason}`).join('')}`);
        break;
      case 'step':
        run.totalSteps = event.totalSteps;
        run.steps.push({ step: event.step, loss: event.loss, lr: event.lr, examplesPerSecond: event.examplesPerSecond, etaSeconds: event.etaSeconds });
        this.statusBar.text = `$(sync~spin) SpanTune ${event.step}/${event.totalSteps} · loss ${event.loss.toFixed(3)} · ETA ${formatDuration(event.etaSeconds)}`;
        break;
      case 'eval':
        run.evals.push({ step: event.step, exact: event.scores.exact, f1: event.scores.f1 });
        if (event.step === 0) run.base = event.scores;
        if (event.isBest) run.best = event.scores;
        break;
      case 'checkpoint':
        if (event.reason === 'best' || (event.reason === 'final' && !run.modelDir)) run.modelDir = event.dir;
        break;
      case 'finished':
      case 'cancelled':
      case 'failed':
        this.finish(job, event);
        return;
    }
    if (event.type !== 'step' || Date.now() - job.lastSaved > 2000) {
      job.lastSaved = Date.now();
      void this.saveInTurn(job).catch(() => undefined);
    }
    this.changed.fire(run);
  }

  private finish(job: CurrentJob, event: Extract<EngineEvent, { type: 'finished' | 'cancelled' | 'failed' }>): void {
    const run = job.run;
    run.ended = new Date().toISOString();
    job.delay.disable();
    const delay = { p50: job.delay.percentile(50) / 1e6, p99: job.delay.percentile(99) / 1e6, max: job.delay.max / 1e6 };
    output().info(`Extension host event-loop delay during run ${run.id}: p50 ${delay.p50.toFixed(1)} ms, p99 ${delay.p99.toFixed(1)} ms, max ${delay.max.toFixed(1)} ms`);
    (run as RunRecord & { hostEventLoopDelayMs?: typeof delay }).hostEventLoopDelayMs = delay;
    if (event.type === 'finished') {
      run.status = 'finished';
      const bestDir = event.summary.bestModelDir;
      run.modelDir = typeof bestDir === 'string' ? bestDir : run.settings.outputDir;
      void vscode.window.showInformationMessage(
        `SpanTune: run ${run.id} finished${run.best ? ` — validation EM ${run.best.exact.toFixed(1)}, F1 ${run.best.f1.toFixed(1)}` : ''}${run.base ? ` (base: EM ${run.base.exact.toFixed(1)}, F1 ${run.base.f1.toFixed(1)})` : ''}`,
      );
    } else if (event.type === 'cancelled') {
      run.status = 'cancelled';
      run.reason = `cancelled at step ${event.step}`;
      void vscode.window.showInformationMessage(`SpanTune: run ${run.id} cancelled at step ${event.step}; resume it from the dashboard`);
    } else {
      run.status = 'failed';
      run.reason = event.reason;
      output().error(`Training run ${run.id} failed: ${event.reason}`);
      void vscode.window.showErrorMessage(`SpanTune: training failed: ${event.reason.split('\n')[0]}`, 'Show Log').then((c) => c && output().show());
    }
    this.current = undefined;
    void this.recordSpeed(run);
    void vscode.commands.executeCommand('setContext', 'spantune.training', false);
    this.statusBar.hide();
    this.unsaved.set(run.id, run);
    this.changed.fire(run);
    this.changed.fire(undefined);
    void this.saveInTurn(job)
      .then(
        () => this.unsaved.delete(run.id),
        (error: unknown) => output().warn(`Could not save the record of run ${run.id}: ${(error as Error).message}`),
      )
      .finally(() => job.resolveFinished());
  }

  /** Saves run.json after the job's earlier saves; a failed periodic save is retried by the next one. */
  private saveInTurn(job: CurrentJob): Promise<void> {
    const save = job.saving.catch(() => undefined).then(() => this.runs.save(job.run));
    job.saving = save.catch(() => undefined);
    return save;
  }

  dispose(): void {
    if (this.current) this.engine.get('training').cancel(this.current.jobId);
    for (const d of this.disposables) d.dispose();
  }
}

const ENGINE_LABELS: Record<string, string> = {
  'onnx cpu': 'ONNX Runtime (CPU)',
  'onnx webgpu': 'ONNX Runtime (WebGPU)',
  'onnx cuda': 'ONNX Runtime (CUDA)',
  'tensorflow-gpu': 'TensorFlow.js (GPU)',
  tensorflow: 'TensorFlow.js (CPU)',
  wasm: 'TensorFlow.js WebAssembly',
  cpu: 'TensorFlow.js plain JavaScript',
};

function engineLabel(engine: TrainingEngineKey): string {
  return ENGINE_LABELS[engine] ?? engine;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { parseEngineBackend, parseProviderName, parseThreads } from '../../engine/backend/names';
import { UserError } from '../../engine/errors';
import { AtomicFileWriter } from '../../engine/fs/atomic';
import { EngineClient } from '../../engine/process/client';
import type { EngineEvent, TrainSettings } from '../../engine/process/protocol';
import { optionalNumber, parseCommandArgs, requireString } from '../args';
import { checkOutputFile, checkOutputFolder } from '../output-checks';
import { checkModelWindow } from '../qa-options';
import { formatDuration } from '../progress';
import { TRAINING_FLAG_SPECS, trainingHyperparameters } from '../training-flags';

const USAGE = `Usage: spantune train --model DIR --train TRAIN.json --output DIR [options]

Fine-tunes a BERT/DistilBERT checkpoint for extractive QA in a separate engine process. Progress goes to
stderr, the summary (JSON) to stdout. Ctrl-C stops at the next step and saves a checkpoint that
--resume continues. Flags, model and data are checked first: a run refused for them creates nothing.

Options:
  --validation FILE            validation SQuAD file (default: hold out --validation-split of the contexts)
  --validation-split F         fraction of contexts held out for validation (default 0.1)
  --epochs N                   (default 2)            --max-steps N        stop after N optimizer steps
  --batch-size N               windows per step (default 12)
  --grad-accum N               steps accumulated per update: effective batch = batch × N (default 1)
  --learning-rate X            (default 3e-5)        --warmup-ratio X      (default 0)
  --weight-decay X             (default 0.01)        --max-grad-norm X     (default 1.0; 0 = no clipping)
  --seed N                     (default 42)          --dropout X           override every dropout rate
  --eval-every N               also validate every N steps (always at each epoch end)
  --early-stopping-patience N  stop after N validations without a better F1
  --max-seq-length N           (default 384)         --doc-stride N        (default 128)
  --max-query-length N         (default 64)          --version-2-with-negative
  --include-unreviewed         include generated pairs nobody reviewed yet
  --backend NAME               auto (ONNX Runtime where it loads), onnx, or a TensorFlow.js backend:
                               tensorflow-gpu, tensorflow, wasm, cpu
  --provider NAME              ONNX Runtime provider: auto, cuda, webgpu or cpu
  --threads N                  ONNX Runtime CPU threads (default: one per physical core)
  --log FILE                   one JSON line per step, evaluation and the end (written beside FILE under a
                               temporary name once the run has started, put in place when it ends)
  --dump-features FILE         every training feature and each step's micro-batches, as JSON lines
  --resume                     continue the run saved in OUTPUT/checkpoint-last`;

function settingsFrom(values: Record<string, unknown>): TrainSettings {
  return {
    modelDir: requireString('train', values, 'model'),
    trainFile: requireString('train', values, 'train'),
    outputDir: requireString('train', values, 'output'),
    ...trainingHyperparameters('train', values),
    evalEvery: optionalNumber('train', values, 'eval-every', { integer: true, min: 1 }),
    earlyStoppingPatience: optionalNumber('train', values, 'early-stopping-patience', { integer: true, min: 1 }),
    backend: parseEngineBackend(values.backend as string | undefined),
    provider: parseProviderName(values.provider as string | undefined),
    threads: parseThreads(values.threads, '--threads'),
    resume: values.resume === true,
    dumpFeatures: values['dump-features'] as string | undefined,
  };
}

/** The --log line for an event, or undefined for events the log leaves out. */
function logLine(event: EngineEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case 'step':
      return { type: 'step', step: event.step, epoch: event.epoch, loss: event.loss, lr: event.lr, grad_norm: event.gradNorm, examples_per_s: event.examplesPerSecond };
    case 'eval':
      return { type: 'eval', step: event.step, epoch: event.epoch, ...event.scores, is_best: event.isBest };
    case 'finished':
      return { type: 'end', status: 'finished', ...event.summary };
    case 'cancelled':
      return { type: 'end', status: 'cancelled', step: event.step, checkpoint: event.checkpointDir };
    case 'failed':
      return { type: 'end', status: 'failed', reason: event.reason };
    default:
      return undefined;
  }
}

function describe(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'log':
      return event.message;
    case 'started':
      return `training ${event.model.architecture} (${(event.model.parameters / 1e6).toFixed(1)}M parameters) on ${event.trainFeatures} windows, validating on ${event.validationExamples} questions; ${event.totalSteps} steps${event.resumedFromStep ? `, resuming after step ${event.resumedFromStep}` : ''}`;
    case 'step': {
      const percent = ((100 * event.step) / event.totalSteps).toFixed(0).padStart(3);
      return `step ${event.step}/${event.totalSteps} ${percent}% · epoch ${event.epoch.toFixed(2)} · loss ${event.loss.toFixed(4)} · lr ${event.lr.toExponential(2)} · ${event.examplesPerSecond.toFixed(2)} windows/s · ETA ${formatDuration(event.etaSeconds)}`;
    }
    case 'eval':
      return `validation at step ${event.step}: EM ${event.scores.exact.toFixed(2)} · F1 ${event.scores.f1.toFixed(2)}${event.isBest ? ' (best so far)' : ''}`;
    case 'checkpoint':
      return `saved ${event.reason} checkpoint: ${event.dir}`;
    default:
      return undefined;
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('train', argv, {
    model: { type: 'string' }, train: { type: 'string' }, output: { type: 'string' }, ...TRAINING_FLAG_SPECS,
    'eval-every': { type: 'string' }, 'early-stopping-patience': { type: 'string' },
    backend: { type: 'string' }, provider: { type: 'string' }, threads: { type: 'string' }, log: { type: 'string' }, 'dump-features': { type: 'string' }, resume: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const settings = settingsFrom(values);
  await checkOutputFolder('--output', settings.outputDir);
  if (values.log) await checkOutputFile('--log', values.log, { createFolder: true });
  if (settings.dumpFeatures) await checkOutputFile('--dump-features', settings.dumpFeatures);
  await checkModelWindow(settings.modelDir, settings.maxSeqLength);
  const log = values.log ? new RunLog(values.log, settings.resume === true) : undefined;

  // Until the engine has checked model and data, its lines are held: a refused run prints its error alone.
  let started = false;
  const held: string[] = [];
  const say = (line: string) => (started ? process.stderr.write(`${line}\n`) : held.push(line));
  const outcome = await new Promise<EngineEvent>((resolve) => {
    const client = new EngineClient({
      onOutput: (line) => say(`[engine] ${line}`),
      onEvent: (event) => {
        if (event.type === 'started') {
          started = true;
          for (const line of held.splice(0)) process.stderr.write(`${line}\n`);
          log?.start();
        }
        const line = logLine(event);
        if (line) log?.write(line);
        const text = describe(event);
        if (text) say(text);
        if (event.type === 'finished' || event.type === 'cancelled' || event.type === 'failed') {
          client.dispose();
          resolve(event);
        }
      },
    });
    const jobId = client.train(settings);
    let interrupts = 0;
    process.on('SIGINT', () => {
      interrupts++;
      if (interrupts === 1) {
        process.stderr.write('\nstopping at the next step boundary and saving a checkpoint (Ctrl-C again to abort at once)\n');
        client.cancel(jobId);
      } else {
        const partial = log?.partialPath;
        if (partial) process.stderr.write(`aborted; the log so far is in ${partial}\n`);
        process.exit(130);
      }
    });
  });
  await log?.finish();

  if (outcome.type === 'finished') {
    process.stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
  } else if (outcome.type === 'cancelled') {
    process.stdout.write(`${JSON.stringify({ status: 'cancelled', step: outcome.step, checkpoint: outcome.checkpointDir }, null, 2)}\n`);
    process.exitCode = 130;
  } else if (outcome.type === 'failed') {
    if (outcome.userError) throw new UserError(outcome.reason);
    // A crash: what the engine printed before it may explain it.
    for (const line of held) process.stderr.write(`${line}\n`);
    throw new Error(outcome.reason);
  }
}

/**
 * The --log file: opened only once the run has started (a run refused at validation leaves none),
 * written under a temporary name beside it, and flushed and renamed into place when the run ends.
 * A resumed run's log continues the previous one.
 */
class RunLog {
  private writer: Promise<AtomicFileWriter | undefined> | undefined;
  private opened: AtomicFileWriter | undefined;

  constructor(
    private readonly file: string,
    private readonly append: boolean,
  ) {}

  start(): void {
    this.writer = mkdir(path.dirname(path.resolve(this.file)), { recursive: true })
      .then(() => AtomicFileWriter.open(this.file, { keepExisting: this.append, bufferBytes: 0 }))
      .then(
        (writer) => (this.opened = writer),
        (error: Error) => void process.stderr.write(`warning: no --log, training goes on: ${error.message}\n`),
      );
  }

  write(line: Record<string, unknown>): void {
    const text = `${JSON.stringify(line)}\n`;
    void this.writer?.then((writer) => writer?.write(text));
  }

  /** Where the lines are until the run ends. */
  get partialPath(): string | undefined {
    return this.opened?.tempPath;
  }

  async finish(): Promise<void> {
    await (await this.writer)?.commit();
  }
}

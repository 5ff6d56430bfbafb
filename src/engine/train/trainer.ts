/**
 * Fine-tunes a question-answering model the way Hugging Face's run_qa.py + Trainer do: QA loss,
 * AdamW with decoupled weight decay, linear warm-up and decay, global-norm clipping, gradient
 * accumulation over memory-sized micro-batches, periodic validation with the official metrics, best
 * and resumable checkpoints. Runs inside the engine process and reports through events.
 */
import * as path from 'node:path';
import { describeEngine, engineName } from '../backend/report';
import { readModelConfig } from '../checkpoint/config';
import { UserError } from '../errors';
import { writeFileAtomic } from '../fs/atomic';
import type { EngineEvent, SquadScores, TrainSettings } from '../process/protocol';
import { buildFeatures, type QaFeature } from '../qa/features';
import { NonFiniteLogitsError } from '../qa/postprocess';
import { loadTokenizer } from '../tokenizer/load';
import { BatchPlan } from './batches';
import { hasTrainingCheckpoint, loadTrainingCheckpoint, saveTrainingCheckpoint, type TrainerState } from './checkpoints';
import { loadTrainingData } from './data';
import { openTrainingEngine } from './engine';
import { writeModelCard, type ModelCardInput } from '../export/model-card';
import { writeFeatureDump } from './feature-dump';
import { linearScheduleWithWarmup } from './schedule';

export interface TrainingHooks {
  jobId: string;
  emit: (event: EngineEvent) => void;
  signal: AbortSignal;
}

/** Folders inside the output folder. */
export const LAST_CHECKPOINT = 'checkpoint-last';
export const BEST_MODEL = 'best';

/** The settings a resumed run must share with the run it continues. */
function fingerprint(s: TrainSettings): Record<string, unknown> {
  return {
    trainFile: path.resolve(s.trainFile), validationFile: s.validationFile && path.resolve(s.validationFile), validationSplit: s.validationSplit,
    epochs: s.epochs, maxSteps: s.maxSteps, batchSize: s.batchSize, gradAccum: s.gradAccum ?? 1, learningRate: s.learningRate,
    warmupRatio: s.warmupRatio, weightDecay: s.weightDecay, maxGradNorm: s.maxGradNorm, seed: s.seed, dropout: s.dropout,
    maxSeqLength: s.maxSeqLength, docStride: s.docStride, maxQueryLength: s.maxQueryLength, version2WithNegative: s.version2WithNegative,
  };
}

function checkSameRun(saved: Record<string, unknown>, now: Record<string, unknown>, dir: string): void {
  const differing = Object.keys(now).filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(now[k]));
  if (differing.length > 0) {
    const list = differing.map((k) => `${k} (${JSON.stringify(saved[k])} then, ${JSON.stringify(now[k])} now)`).join(', ');
    throw new UserError(`cannot resume ${dir}: the run was started with other settings: ${list}`);
  }
}

const yieldToEvents = () => new Promise((resolve) => setImmediate(resolve));

export async function runTraining(settings: TrainSettings, hooks: TrainingHooks): Promise<void> {
  const { emit, jobId, signal } = hooks;
  const log = (message: string, level: 'info' | 'warn' = 'info') => emit({ type: 'log', level, message });

  const data = await loadTrainingData(settings);
  data.notes.forEach((note) => log(note, 'warn'));
  const lastDir = path.join(settings.outputDir, LAST_CHECKPOINT);
  const resuming = settings.resume === true && hasTrainingCheckpoint(lastDir);
  if (settings.resume && !resuming) log(`nothing to resume in ${lastDir}: starting from the beginning`, 'warn');
  const saved = resuming ? await loadTrainingCheckpoint(lastDir) : undefined;
  if (saved) checkSameRun(saved.state.fingerprint, fingerprint(settings), lastDir);

  const weightsDir = resuming ? lastDir : settings.modelDir;
  const [config, tokenizer] = await Promise.all([readModelConfig(weightsDir), loadTokenizer(weightsDir)]);
  // Position ids past the table would index outside it (garbage on wasm, a crash elsewhere).
  const positions = config.maxPositionEmbeddings;
  if (settings.maxSeqLength > positions) {
    throw new UserError(`--max-seq-length ${settings.maxSeqLength} is longer than the model's ${positions} positions (max_position_embeddings in ${path.join(settings.modelDir, 'config.json')}): use --max-seq-length ${positions} or less`);
  }
  const tokenizerDir = settings.modelDir;
  const featureOptions = { maxSeqLength: settings.maxSeqLength, docStride: settings.docStride, maxQueryLength: settings.maxQueryLength };
  const trainFeatures = buildFeatures(data.train, tokenizer, featureOptions, 'train');
  const validationFeatures = buildFeatures(data.validation, tokenizer, featureOptions, 'predict');
  if (trainFeatures.length === 0) throw new UserError(`${settings.trainFile} gives no training window (are its contexts empty?)`);

  const engine = await openTrainingEngine({ settings, weightsDir, optimizerState: saved?.optimizer, features: trainFeatures, log });
  try {
    log(describeEngine(engine.report));
    const plan = new BatchPlan({
      featureCount: trainFeatures.length,
      batchSize: settings.batchSize * (settings.gradAccum ?? 1),
      microBatchSize: engine.microBatchSize,
      epochs: settings.epochs,
      maxSteps: settings.maxSteps,
      seed: settings.seed,
    });
    const schedule = linearScheduleWithWarmup(settings.learningRate, plan.totalSteps, settings.warmupRatio);
    const state: TrainerState = saved?.state ?? { globalStep: 0, totalSteps: plan.totalSteps, epoch: 0, evalsWithoutImprovement: 0, fingerprint: fingerprint(settings), losses: [] };
    if (settings.dumpFeatures) await writeFeatureDump(settings.dumpFeatures, trainFeatures.map(toDumpFeature), plan);

    emit({
      type: 'started', jobId, backend: engine.report,
      model: { dir: settings.modelDir, architecture: engine.architecture, parameters: engine.parameterCount, layers: engine.config.numHiddenLayers, hidden: engine.config.hiddenSize },
      trainExamples: data.train.length, trainFeatures: trainFeatures.length,
      validationExamples: data.validation.length, validationFeatures: validationFeatures.length,
      totalSteps: plan.totalSteps, microBatchSize: plan.microBatchSize,
      resumedFromStep: saved ? state.globalStep : undefined,
    });
    log(`${trainFeatures.length} training windows from ${data.train.length} questions; ${plan.totalSteps} steps of ${plan.batchSize} windows in micro-batches of ${plan.microBatchSize} (${engine.memoryNote})`);

    /** The validation scores, or undefined when a cancel interrupted the evaluation (the caller then stops). */
    const evaluate = async (): Promise<SquadScores | undefined> => {
      try {
        return await engine.evaluate(data.validation, validationFeatures, { version2WithNegative: settings.version2WithNegative, signal });
      } catch (error) {
        if (signal.aborted) return undefined;
        // The last update left weights that compute NaN or Infinity: nothing was saved from them.
        if (error instanceof NonFiniteLogitsError && state.globalStep > 0) throw new UserError(divergedMessage(state.globalStep, 'the validation logits are not finite after the update', settings, lastDir, state));
        throw error;
      }
    };
    const saveLast = async (reason: 'epoch' | 'cancel' | 'final') => {
      await saveTrainingCheckpoint(lastDir, { saveModel: (dir) => engine.saveModel(dir, tokenizerDir), optimizer: engine.optimizerState(), state });
      emit({ type: 'checkpoint', jobId, step: state.globalStep, dir: lastDir, reason });
    };

    const stopCancelled = async () => {
      await saveLast('cancel');
      emit({ type: 'cancelled', jobId, step: state.globalStep, checkpointDir: lastDir });
    };

    if (!saved) {
      state.baseScores = await evaluate();
      // Cancelled before any step: nothing worth a checkpoint.
      if (!state.baseScores) return void emit({ type: 'cancelled', jobId, step: 0 });
      emit({ type: 'eval', jobId, step: 0, epoch: 0, scores: state.baseScores, isBest: false });
    }

    let examplesPerSecond = 0;
    const started = Date.now();
    const firstStep = state.globalStep;
    let stoppedEarly = false;
    for (const planned of plan.steps(state.globalStep)) {
      if (signal.aborted) return await stopCancelled();
      const stepStarted = Date.now();
      const { loss, gradNorm } = await engine.computeStep(trainFeatures, planned);
      const lr = schedule.learningRate(planned.step);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        // Stop before the update: the weights and every checkpoint saved so far stay finite.
        engine.discardGradients();
        const what = Number.isFinite(loss) ? `the gradient norm became ${gradNorm} (loss ${loss})` : `the loss became ${loss}`;
        throw new UserError(divergedMessage(planned.step + 1, `${what} at learning rate ${lr.toExponential(2)}; the weights were not updated with it`, settings, lastDir, state));
      }
      engine.update(lr);

      state.globalStep = planned.step + 1;
      state.epoch = planned.epoch + (planned.stepInEpoch + 1) / plan.stepsPerEpoch;
      state.losses.push({ step: state.globalStep, loss });
      const rate = planned.size / ((Date.now() - stepStarted) / 1000);
      examplesPerSecond = examplesPerSecond === 0 ? rate : 0.8 * examplesPerSecond + 0.2 * rate;
      const remaining = plan.totalSteps - state.globalStep;
      const secondsPerStep = (Date.now() - started) / 1000 / (state.globalStep - firstStep);
      emit({ type: 'step', jobId, step: state.globalStep, totalSteps: plan.totalSteps, epoch: state.epoch, loss, lr, gradNorm, examplesPerSecond, etaSeconds: remaining * secondsPerStep });

      const epochEnd = planned.stepInEpoch === plan.stepsPerEpoch - 1 || state.globalStep === plan.totalSteps;
      const evalDue = (settings.evalEvery !== undefined && settings.evalEvery > 0 && state.globalStep % settings.evalEvery === 0) || epochEnd;
      if (evalDue) {
        const scores = await evaluate();
        if (!scores) return await stopCancelled();
        state.lastScores = scores;
        const isBest = !state.best || scores.f1 > state.best.scores.f1;
        if (isBest) {
          state.best = { step: state.globalStep, scores };
          state.evalsWithoutImprovement = 0;
          await engine.saveModel(path.join(settings.outputDir, BEST_MODEL), tokenizerDir);
          emit({ type: 'checkpoint', jobId, step: state.globalStep, dir: path.join(settings.outputDir, BEST_MODEL), reason: 'best' });
        } else {
          state.evalsWithoutImprovement++;
        }
        emit({ type: 'eval', jobId, step: state.globalStep, epoch: state.epoch, scores, isBest });
        const patience = settings.earlyStoppingPatience;
        if (patience !== undefined && patience > 0 && state.evalsWithoutImprovement >= patience) {
          log(`early stopping: validation F1 has not improved for ${patience} evaluation(s)`);
          stoppedEarly = true;
        }
      }
      if (epochEnd || stoppedEarly) await saveLast('epoch');
      if (stoppedEarly) break;
      await yieldToEvents();
    }

    await engine.saveModel(settings.outputDir, tokenizerDir);
    // The card shows EM and F1 (percentages); SquadScores also carries counts such as `total`.
    const percentages = (scores: SquadScores | undefined) => scores && { exact: scores.exact, f1: scores.f1 };
    const card = (after: SquadScores | undefined): ModelCardInput => ({
      modelName: `${path.basename(path.resolve(settings.modelDir))} fine-tuned with SpanTune on ${path.basename(settings.trainFile)}`,
      baseModel: settings.modelDir,
      datasets: [path.basename(settings.trainFile)],
      data: {
        trainExamples: data.train.length,
        validationExamples: data.validation.length,
        validationSource: settings.validationFile ? path.basename(settings.validationFile) : `held-out contexts of ${path.basename(settings.trainFile)}`,
        version2WithNegative: settings.version2WithNegative,
      },
      hyperparameters: { ...settings, gradAccum: settings.gradAccum ?? 1 },
      before: percentages(state.baseScores),
      after: percentages(after),
      trainingSeconds: (Date.now() - started) / 1000,
      backend: engineName(engine.report),
    });
    await writeModelCard(settings.outputDir, card(state.lastScores));
    if (state.best) await writeModelCard(path.join(settings.outputDir, BEST_MODEL), card(state.best.scores));
    const summary = {
      outputDir: settings.outputDir,
      bestModelDir: state.best ? path.join(settings.outputDir, BEST_MODEL) : undefined,
      backend: describeEngine(engine.report),
      steps: state.globalStep,
      totalSteps: plan.totalSteps,
      stoppedEarly,
      trainExamples: data.train.length,
      trainFeatures: trainFeatures.length,
      validationExamples: data.validation.length,
      finalLoss: state.losses.at(-1)?.loss,
      base: state.baseScores,
      best: state.best,
      seconds: (Date.now() - started) / 1000,
    };
    await writeFileAtomic(path.join(settings.outputDir, 'training_summary.json'), `${JSON.stringify({ settings, summary }, null, 2)}\n`);
    emit({ type: 'checkpoint', jobId, step: state.globalStep, dir: settings.outputDir, reason: 'final' });
    emit({ type: 'finished', jobId, summary });
  } finally {
    await engine.dispose();
  }
}

/** Why training stopped at a non-finite loss or gradient, what is kept, and what to change. */
function divergedMessage(step: number, what: string, settings: TrainSettings, lastDir: string, state: TrainerState): string {
  // Three digits, written as a flag value would be: 3e-5, 0.5, 1e+15.
  const round = (x: number) => {
    const rounded = Number(x.toPrecision(3));
    return rounded !== 0 && (Math.abs(rounded) >= 1e4 || Math.abs(rounded) < 1e-3) ? rounded.toExponential() : String(rounded);
  };
  const kept = state.globalStep > 0 && hasTrainingCheckpoint(lastDir) ? `the last finite checkpoint is ${lastDir}` : 'no checkpoint had been saved yet';
  const clipping = settings.maxGradNorm > 0
    ? `clip harder (--max-grad-norm ${round(settings.maxGradNorm)} now, try ${round(settings.maxGradNorm / 2)})`
    : 'turn gradient clipping on (--max-grad-norm 1.0; it is 0 now)';
  return `training stopped at step ${step}: ${what}; ${kept}. ` +
    `Lower the learning rate (--learning-rate ${round(settings.learningRate)} now, try ${round(settings.learningRate / 10)}) or ${clipping}`;
}

function toDumpFeature(f: QaFeature) {
  return { inputIds: f.inputIds, tokenTypeIds: f.tokenTypeIds, attentionMask: f.attentionMask, startPosition: f.startPosition ?? 0, endPosition: f.endPosition ?? 0 };
}

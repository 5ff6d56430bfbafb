/**
 * Failure paths of a training run in the engine process: the engine killed with SIGKILL mid-run (the
 * caller reports it, keeps running, and the run resumes from its last epoch checkpoint), a cancel
 * that arrives while the model is being validated, a dataset with no usable example, a model too
 * large for the backend, a window longer than the model's position table, and a run that diverges.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { loadCheckpointWeights } from '../../../src/engine/checkpoint/weights';
import type { TrainSettings } from '../../../src/engine/process/protocol';
import {
  EventRouter,
  eventsOf,
  quickSettings,
  sourceEngine,
  tempDir,
  tinyBertDir,
  writeJson,
  writeRandomBertCheckpoint,
  xquadSubset,
} from '../../support/training-fixtures';

const dir = tempDir('failures');
const validationFile = writeJson(path.join(dir, 'validation.json'), xquadSubset(1, { skipParagraphs: 2, questionsPerParagraph: 3 }));
const router = new EventRouter();
const client = sourceEngine(router.dispatch);
after(() => client.dispose());

describe('engine process killed mid-run', () => {
  test('the caller gets a failed event naming SIGKILL, and the run resumes from its epoch checkpoint', async () => {
    // 6 questions of one paragraph: a handful of 128-token windows, 2–3 steps of 4 per epoch.
    const trainFile = writeJson(path.join(dir, 'kill-train.json'), xquadSubset(1, { questionsPerParagraph: 6 }));
    const settings: TrainSettings = quickSettings({ trainFile, validationFile, outputDir: path.join(dir, 'kill'), epochs: 3, maxSeqLength: 128, docStride: 48 });
    let killedPid: number | undefined;
    let epochCheckpointStep = 0;
    const job = router.train(client, settings, (event) => {
      if (event.type === 'checkpoint' && event.reason === 'epoch' && killedPid === undefined) {
        epochCheckpointStep = event.step;
        killedPid = client.pid;
        process.kill(killedPid!, 'SIGKILL');
      }
    });
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    if (end.type !== 'failed') return;
    assert.equal(end.userError, false);
    assert.match(end.reason, /killed by SIGKILL/);
    assert.match(end.reason, /can be resumed/);
    const totalSteps = eventsOf(job.events, 'started')[0]!.totalSteps;
    assert.ok(epochCheckpointStep >= 1 && epochCheckpointStep < totalSteps, `epoch checkpoint at step ${epochCheckpointStep} of ${totalSteps}`);
    assert.ok(!client.busy, 'the client no longer counts the dead job');

    // This process is alive and the client starts a new engine for the next request.
    const resumed = router.train(client, { ...settings, resume: true });
    const resumedEnd = await resumed.done;
    assert.equal(resumedEnd.type, 'finished', JSON.stringify(resumedEnd));
    assert.notEqual(client.pid, killedPid);
    assert.equal(eventsOf(resumed.events, 'started')[0]!.resumedFromStep, epochCheckpointStep);
    const steps = eventsOf(resumed.events, 'step').map((e) => e.step);
    assert.equal(steps[0], epochCheckpointStep + 1);
    assert.equal(steps.at(-1), totalSteps);
    assert.ok(existsSync(path.join(settings.outputDir, 'model.safetensors')));
  });
});

describe('cancel', () => {
  test('a cancel that arrives during the first validation ends the job as cancelled, not failed', async () => {
    const trainFile = writeJson(path.join(dir, 'cancel-train.json'), xquadSubset(2));
    // A larger validation set, so that the first evaluation is still running when the cancel arrives.
    const bigValidation = writeJson(path.join(dir, 'cancel-validation.json'), xquadSubset(3, { skipParagraphs: 2 }));
    const settings = quickSettings({ trainFile, validationFile: bigValidation, outputDir: path.join(dir, 'cancel'), maxSeqLength: 128 });
    const job = router.train(client, settings, (event, jobId) => {
      if (event.type === 'started') client.cancel(jobId);
    });
    const end = await job.done;
    assert.equal(end.type, 'cancelled', JSON.stringify(end));
    if (end.type !== 'cancelled') return;
    assert.equal(end.step, 0);
    assert.equal(eventsOf(job.events, 'step').length, 0);
  });
});

describe('no usable training example', () => {
  const context = 'The committee met in Geneva in 1998 and again in Oslo in 2004.';
  const run = async (name: string, dataset: unknown, extra: Partial<TrainSettings> = {}) => {
    const trainFile = writeJson(path.join(dir, `${name}.json`), dataset);
    const job = router.train(client, quickSettings({ trainFile, validationFile, outputDir: path.join(dir, name), ...extra }));
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    assert.equal(eventsOf(job.events, 'started').length, 0, 'fails before training starts');
    return { end: end as Extract<typeof end, { type: 'failed' }>, trainFile };
  };

  test('every answer_start points at other text', async () => {
    const dataset = {
      version: '1.1',
      data: [{ title: 't', paragraphs: [{ context, qas: [
        { id: 'q1', question: 'Where did the committee meet first?', answers: [{ text: 'Geneva', answer_start: 3 }] },
        { id: 'q2', question: 'When did it meet in Oslo?', answers: [{ text: '2004', answer_start: 20 }] },
      ] }] }],
    };
    const { end, trainFile } = await run('misplaced', dataset);
    assert.equal(end.userError, true);
    assert.ok(end.reason.startsWith(`${trainFile} has no usable training example (2 problem(s): `), end.reason);
    assert.match(end.reason, /: data\[0\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]: answer_start 3 points at " commi", but the answer text is "Geneva"\)$/);
    assert.doesNotMatch(end.reason, /\n/);
  });

  test('every question generated and not yet reviewed', async () => {
    const dataset = {
      version: '1.1',
      data: [{ title: 't', paragraphs: [{ context, qas: [
        { id: 'g1', question: 'Where did the committee meet first?', answers: [{ text: 'Geneva', answer_start: context.indexOf('Geneva') }], origin: 'generated' },
        { id: 'g2', question: 'When did it meet in Oslo?', answers: [{ text: '2004', answer_start: context.indexOf('2004') }], origin: 'generated', reviewed: false },
      ] }] }],
    };
    const { end, trainFile } = await run('unreviewed', dataset);
    assert.equal(end.userError, true);
    assert.ok(end.reason.startsWith(`${trainFile} has no usable training example`), end.reason);
    assert.match(end.reason, /\(2 generated question\(s\) not yet reviewed \(or rejected\) are left out: review them first\)$/);
  });
});

describe('model too large for the backend', () => {
  test('fails at once naming the size, before any evaluation or step', async () => {
    // A small checkpoint whose attention at 2,048-token windows (32 heads × 2,048² scores per layer)
    // needs more than the wasm heap can hold for even one window.
    const modelDir = await writeRandomBertCheckpoint(path.join(dir, 'long-model'), { hidden: 32, layers: 2, heads: 32, intermediate: 64, maxPositions: 2048, seed: 1 });
    const trainFile = writeJson(path.join(dir, 'large-train.json'), xquadSubset(1, { questionsPerParagraph: 2 }));
    const started = Date.now();
    const job = router.train(client, quickSettings({ modelDir, trainFile, validationFile, outputDir: path.join(dir, 'large'), maxSeqLength: 2048, docStride: 128, backend: 'wasm' }));
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    if (end.type !== 'failed') return;
    assert.equal(end.userError, true);
    assert.match(end.reason, /^the model \(1\.\dM parameters, 2 layers × 32\) needs about \d+\.\d GiB to train one 2048-token window, more than the wasm backend's 3\.2 GiB: /);
    assert.match(end.reason, /shorter --max-seq-length/);
    assert.equal(eventsOf(job.events, 'eval').length, 0);
    assert.equal(eventsOf(job.events, 'step').length, 0);
    assert.ok(Date.now() - started < 60_000);
  });

  test('a window longer than the model has positions is refused before training', async () => {
    const trainFile = writeJson(path.join(dir, 'positions-train.json'), xquadSubset(1, { questionsPerParagraph: 2 }));
    const job = router.train(client, quickSettings({ modelDir: tinyBertDir, trainFile, validationFile, outputDir: path.join(dir, 'positions'), maxSeqLength: 600 }));
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    if (end.type !== 'failed') return;
    assert.equal(end.userError, true);
    assert.match(end.reason, /^--max-seq-length 600 is longer than the model's 512 positions \(max_position_embeddings in .*tiny-bert-qa\/config\.json\): use --max-seq-length 512 or less$/);
  });
});

describe('training that diverges', () => {
  // A learning rate of 1e30 without clipping: an update makes weights near 1e30, whose products
  // overflow float32 in the next forward pass.
  const trainFile = writeJson(path.join(dir, 'diverge-train.json'), xquadSubset(1, { questionsPerParagraph: 4 }));
  const diverging = (outputDir: string, extra: Partial<TrainSettings>) =>
    router.train(client, quickSettings({ trainFile, validationFile, outputDir, learningRate: 1e30, maxGradNorm: 0, ...extra }));
  const advice = /Lower the learning rate \(--learning-rate 1e\+30 now, try 1e\+29\) or turn gradient clipping on \(--max-grad-norm 1\.0; it is 0 now\)$/;

  test('a non-finite loss stops the run before the update, saying what to change', async () => {
    const outputDir = path.join(dir, 'diverge-loss');
    const job = diverging(outputDir, { epochs: 1, batchSize: 2 });
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    if (end.type !== 'failed') return;
    assert.equal(end.userError, true);
    assert.match(end.reason, /^training stopped at step 2: the loss became (NaN|-?Infinity) at learning rate \d\.\d\de\+\d\d; the weights were not updated with it; no checkpoint had been saved yet\. /);
    assert.match(end.reason, advice);
    const steps = eventsOf(job.events, 'step');
    assert.deepEqual(steps.map((s) => s.step), [1]);
    assert.ok(Number.isFinite(steps[0]!.loss) && Number.isFinite(steps[0]!.gradNorm));
    assert.equal(existsSync(outputDir), false, 'nothing saved from diverged weights');
  });

  test('weights that compute non-finite logits stop the run at the validation and keep the last finite checkpoint', async () => {
    // One step per epoch; a warm-up makes the first update use a learning rate of 0, so the first
    // epoch's checkpoint is finite, and the second update explodes.
    const outputDir = path.join(dir, 'diverge-eval');
    const job = diverging(outputDir, { epochs: 3, batchSize: 64, warmupRatio: 0.5 });
    const end = await job.done;
    assert.equal(end.type, 'failed', JSON.stringify(end));
    if (end.type !== 'failed') return;
    assert.equal(end.userError, true);
    const lastDir = path.join(outputDir, 'checkpoint-last');
    assert.ok(end.reason.startsWith(`training stopped at step 2: the validation logits are not finite after the update; the last finite checkpoint is ${lastDir}. `), end.reason);
    assert.match(end.reason, advice);
    const state = JSON.parse(readFileSync(path.join(lastDir, 'trainer_state.json'), 'utf8')) as { globalStep: number };
    assert.equal(state.globalStep, 1);
    // Loading refuses non-finite weights, so a successful load shows the checkpoint is finite.
    await loadCheckpointWeights(lastDir);
    await loadCheckpointWeights(path.join(outputDir, 'best'));
    assert.equal(existsSync(path.join(outputDir, 'model.safetensors')), false, 'no final model from diverged weights');
  });
});

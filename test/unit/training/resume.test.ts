/**
 * Cancel and resume through the engine process: a run cancelled at a step boundary and resumed from
 * its checkpoint-last gives the same per-step losses and the same final weights as an uninterrupted
 * run, with dropout on (its masks are seeded per step and micro-batch, so they replay exactly), on
 * ONNX Runtime and on TensorFlow.js (wasm).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { readSafetensors } from '../../../src/engine/checkpoint/safetensors';
import type { EngineBackend, TrainSettings } from '../../../src/engine/process/protocol';
import { hasTrainingCheckpoint } from '../../../src/engine/train/checkpoints';
import { EventRouter, eventsOf, quickSettings, sourceEngine, tempDir, writeJson, xquadSubset } from '../../support/training-fixtures';

const dir = tempDir('resume');
const trainFile = writeJson(path.join(dir, 'train.json'), xquadSubset(2, { questionsPerParagraph: 8 }));
const validationFile = writeJson(path.join(dir, 'validation.json'), xquadSubset(1, { skipParagraphs: 2, questionsPerParagraph: 4 }));
const router = new EventRouter();
const client = sourceEngine(router.dispatch);
after(() => client.dispose());

const runSettings = (outputDir: string, extra: Partial<TrainSettings> = {}): TrainSettings =>
  quickSettings({ trainFile, validationFile, outputDir, maxSteps: 6, batchSize: 4, dropout: 0.1, learningRate: 2e-3, warmupRatio: 0.2, ...extra });

const stepLosses = (events: Parameters<typeof eventsOf>[0]) => eventsOf(events, 'step').map((e) => [e.step, e.loss] as const);

describe('resume', () => {
  for (const backend of ['onnx', 'wasm'] as EngineBackend[]) test(`a cancelled and resumed run has the losses and weights of an uninterrupted one (${backend})`, async () => {
    const settings = (outputDir: string, extra: Partial<TrainSettings> = {}) => runSettings(outputDir, { backend, ...extra });
    const whole = router.train(client, settings(path.join(dir, backend, 'a')));
    const wholeEnd = await whole.done;
    assert.equal(wholeEnd.type, 'finished', JSON.stringify(wholeEnd));
    const reference = stepLosses(whole.events);
    assert.deepEqual(reference.map(([step]) => step), [1, 2, 3, 4, 5, 6]);

    const outputB = path.join(dir, backend, 'b');
    const first = router.train(client, settings(outputB), (event, jobId) => {
      if (event.type === 'step' && event.step === 3) client.cancel(jobId);
    });
    const cancelled = await first.done;
    assert.equal(cancelled.type, 'cancelled', JSON.stringify(cancelled));
    if (cancelled.type !== 'cancelled') return;
    // The cancel is honoured at the next step boundary: after step 3, or step 4 if that had begun.
    assert.ok(cancelled.step >= 3 && cancelled.step < 6, `cancelled after step ${cancelled.step}`);
    assert.equal(cancelled.checkpointDir, path.join(outputB, 'checkpoint-last'));
    assert.ok(eventsOf(first.events, 'checkpoint').some((e) => e.reason === 'cancel' && e.step === cancelled.step));

    const second = router.train(client, settings(outputB, { resume: true }));
    const resumedEnd = await second.done;
    assert.equal(resumedEnd.type, 'finished', JSON.stringify(resumedEnd));
    const started = eventsOf(second.events, 'started')[0]!;
    assert.equal(started.resumedFromStep, cancelled.step);
    assert.ok(!eventsOf(second.events, 'eval').some((e) => e.step === 0), 'a resumed run does not evaluate the base model again');
    assert.ok(eventsOf(second.events, 'step').every((e) => Number.isFinite(e.etaSeconds)), 'a resumed run reports a finite ETA');

    const combined = [...stepLosses(first.events), ...stepLosses(second.events)];
    assert.deepEqual(combined.map(([step]) => step), [1, 2, 3, 4, 5, 6]);
    // Bit for bit: the same batches, dropout masks, optimizer moments and float32 weights (measured
    // here: identical to the last bit; the issue asks for "the same losses").
    assert.deepEqual(combined, reference);
    // Dropout was on: the losses are not what a dropout-free replay would give, so the masks matched.
    assert.notEqual(new Set(reference.map(([, l]) => l)).size, 1);

    const weightsA = (await readSafetensors(path.join(dir, backend, 'a', 'model.safetensors'))).tensors;
    const weightsB = (await readSafetensors(path.join(outputB, 'model.safetensors'))).tensors;
    assert.deepEqual([...weightsB.keys()].sort(), [...weightsA.keys()].sort());
    for (const [name, a] of weightsA) {
      const b = weightsB.get(name)!;
      const differing = a.data.findIndex((value, i) => value !== b.data[i]);
      assert.equal(differing, -1, `${name}[${differing}]: ${a.data[differing]} uninterrupted, ${b.data[differing]} resumed`);
    }
  });

  test('resuming with other settings is refused, naming what changed', async () => {
    const job = router.train(client, runSettings(path.join(dir, 'onnx', 'b'), { resume: true, learningRate: 5e-3 }));
    const end = await job.done;
    assert.equal(end.type, 'failed');
    if (end.type !== 'failed') return;
    assert.equal(end.userError, true);
    assert.match(end.reason, /cannot resume .*checkpoint-last: the run was started with other settings: learningRate \(0\.002 then, 0\.005 now\)/);
  });
});

test('a checkpoint swap interrupted between its two renames is recovered on resume', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'spantune-swap-'));
  const moved = path.join(out, 'checkpoint-last.previous-4242');
  mkdirSync(moved);
  writeFileSync(path.join(moved, 'trainer_state.json'), '{}');
  writeFileSync(path.join(moved, 'optimizer.safetensors'), '');
  assert.equal(hasTrainingCheckpoint(path.join(out, 'checkpoint-last')), true);
  assert.ok(existsSync(path.join(out, 'checkpoint-last', 'trainer_state.json')));
  assert.ok(!existsSync(moved));
});

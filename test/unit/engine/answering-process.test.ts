/**
 * The engine process answers questions as jobs that can be cancelled: a cancelled question ends as
 * cancelled (not failed), the process stays up, and the next question is answered by the same process.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineProcessError } from '../../../src/engine/process/client';
import type { PredictSettings } from '../../../src/engine/process/protocol';
import { copyFixtureModel } from '../../support/fixture-copy';
import { sourceEngine } from '../../support/training-fixtures';

const settings = (modelDir: string): PredictSettings => ({
  modelDir,
  examples: [{ id: 'q', question: 'Where was it written?', context: 'SpanTune was written in Lisbon in 2026, by a small team.', answers: [], isImpossible: false }],
  maxSeqLength: 64, docStride: 16, maxQueryLength: 32, nBestSize: 5, maxAnswerLength: 30, batchSize: 8, version2WithNegative: true, nullScoreDiffThreshold: 0,
});

test('a cancelled question ends as cancelled and leaves the process up for the next one', async () => {
  const engine = sourceEngine();
  const model = copyFixtureModel('tiny-bert-qa');
  try {
    const first = (await engine.predict(settings(model))) as { backend: string; predictions: { text: string }[] };
    assert.match(first.backend, /^onnxruntime cpu/);
    const pid = engine.pid;

    const abort = new AbortController();
    const cancelled = engine.predict(settings(model), { signal: abort.signal });
    abort.abort();
    await assert.rejects(cancelled, (error: Error) => error instanceof EngineProcessError && error.message === 'cancelled');
    assert.equal(engine.busy, false);

    const again = (await engine.predict(settings(model))) as { predictions: { text: string }[] };
    assert.equal(engine.pid, pid, 'the same engine process answers');
    assert.deepEqual(again.predictions.map((p) => p.text), first.predictions.map((p) => p.text));
  } finally {
    engine.dispose();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QA_DEFAULTS } from '../../../src/engine/qa/defaults';
import { extensionPredictSettings } from '../../../src/extension/logic/predict-settings';

const examples = [{ id: 'q', question: 'What is the ebb?', context: 'The ebb is the falling tide.', answers: [], isImpossible: false }];

test("the extension's questions take windows and engine from the settings and run_qa.py's defaults for the rest, as SQuAD v2", () => {
  const settings = extensionPredictSettings('/models/m', examples, { maxSeqLength: 256, docStride: 64, backend: 'wasm', provider: undefined, threads: 3 }, 5);
  assert.deepEqual(settings, {
    modelDir: '/models/m', examples, maxSeqLength: 256, docStride: 64,
    maxQueryLength: QA_DEFAULTS.maxQueryLength, nBestSize: 5, maxAnswerLength: QA_DEFAULTS.maxAnswerLength, batchSize: QA_DEFAULTS.batchSize,
    version2WithNegative: true, nullScoreDiffThreshold: QA_DEFAULTS.nullScoreDiffThreshold, backend: 'wasm', provider: undefined, threads: 3,
  });
  assert.equal(extensionPredictSettings('/models/m', examples, { maxSeqLength: 384, docStride: 128 }).nBestSize, QA_DEFAULTS.nBestSize);
});

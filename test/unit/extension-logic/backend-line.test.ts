import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summariseSkipped } from '../../../src/extension/logic/backend-line';

test('skipped backends: their names on one line, the reasons left to the output channel', () => {
  assert.equal(summariseSkipped(['tensorflow-gpu', 'tensorflow']), 'tensorflow-gpu, tensorflow skipped (reasons in Output › SpanTune)');
  assert.equal(summariseSkipped([]), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural } from '../../../src/extension/logic/plural';

test('plural', () => {
  assert.equal(plural(1, 'validation question'), '1 validation question');
  assert.equal(plural(0, 'question'), '0 questions');
  assert.equal(plural(2, 'query', 'queries'), '2 queries');
});

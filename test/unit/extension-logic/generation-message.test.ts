import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationMessage, plural } from '../../../src/extension/logic/generation-message';

test('no new pairs: says why, and does not ask to review nothing', () => {
  const none = generationMessage({ added: 0, duplicates: 0, files: 3, skippedFiles: 0 });
  assert.equal(none.text, 'SpanTune: no new QA pairs from 3 files: no passage had a sentence the generators could turn into a question.');
  assert.equal(none.review, false);
  assert.doesNotMatch(none.text, /unreviewed|\(s\)/);
  assert.match(generationMessage({ added: 0, duplicates: 4, files: 1, skippedFiles: 2 }).text, /from 1 file: all 4 pairs found are already in the dataset; 2 files skipped/);
  assert.match(generationMessage({ added: 0, duplicates: 1, files: 1, skippedFiles: 0 }).text, /the one pair found is already in the dataset/);
  assert.match(generationMessage({ added: 0, duplicates: 0, files: 0, skippedFiles: 0 }).text, /no document matched spantune\.include/);
});

test('new pairs: counted in words, then the review request', () => {
  const one = generationMessage({ added: 1, duplicates: 0, files: 1, skippedFiles: 0 });
  assert.equal(one.text, 'SpanTune: 1 new QA pair from 1 file. It is unreviewed: accept or reject it in the Dataset panel.');
  assert.equal(one.review, true);
  const many = generationMessage({ added: 12, duplicates: 2, files: 5, skippedFiles: 1 });
  assert.equal(many.text, 'SpanTune: 12 new QA pairs from 5 files, 2 already in the dataset; 1 file skipped (see the SpanTune output). They are unreviewed: accept or reject them in the Dataset panel.');
});

test('plural', () => {
  assert.equal(plural(1, 'question'), '1 question');
  assert.equal(plural(0, 'question'), '0 questions');
  assert.equal(plural(2, 'query', 'queries'), '2 queries');
});

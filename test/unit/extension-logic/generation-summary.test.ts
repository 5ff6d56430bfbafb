/** The message after Generate QA Pairs: counts in words, and for no new pair the reason, never "review 0". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationSummary, type GenerationSummaryInput } from '../../../src/extension/logic/generation-summary';

const base: GenerationSummaryInput = { added: 0, duplicates: 0, newPassages: 0, stats: { passages: 4, pairs: 0 }, skipped: [], notes: [] };

test('new pairs are counted in words and offered for review', () => {
  assert.equal(
    generationSummary({ ...base, added: 12, duplicates: 3, stats: { passages: 4, pairs: 15 } }, 5),
    'SpanTune: 12 new QA pairs from 5 files; 3 already in the dataset. They are unreviewed: accept or reject them in the Dataset panel.',
  );
  assert.equal(
    generationSummary({ ...base, added: 1, stats: { passages: 1, pairs: 1 } }, 1),
    'SpanTune: 1 new QA pair from 1 file. It is unreviewed: accept or reject it in the Dataset panel.',
  );
});

test('no new pair says why and asks for no review', () => {
  const cases: [GenerationSummaryInput, number, RegExp][] = [
    [base, 0, /no document matches the spantune\.include setting/],
    [{ ...base, stats: { passages: 0, pairs: 0 }, skipped: [{ path: 'a.bin', reason: 'binary' }] }, 3, /none of the 3 files read has a passage of prose to ask about; 1 file skipped/],
    [{ ...base, stats: { passages: 0, pairs: 0 } }, 1, /the file read has a passage of prose/],
    [base, 2, /no sentence of the 4 passages in 2 files yields a question/],
    [{ ...base, duplicates: 9, stats: { passages: 4, pairs: 9 } }, 2, /^SpanTune: no new QA pair from 2 files; 9 already in the dataset\.$/],
    [{ ...base, stats: { passages: 4, pairs: 6 }, roundTrip: { model: 'run 1', minF1: 0.5, checked: 6, passed: 0, dropped: 6 } }, 2, /the round trip with run 1 passed 0 of 6 and dropped 6\.$/],
  ];
  for (const [report, files, expected] of cases) {
    const message = generationSummary(report, files);
    assert.match(message, expected);
    assert.doesNotMatch(message, /unreviewed|accept or reject|\(s\)/, message);
  }
});

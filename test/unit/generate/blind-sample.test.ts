import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { drawSample, judgeSample, sampleId, writeSample, type JudgementFile, type Pair } from '../../../bench/blind-sample';

const pair = (index: number, question = `What is item ${index}?`, answer = `item ${index}`): Pair => ({
  path: `p${index % 7}.md`,
  context: `The passage names item ${index}.`,
  question,
  answer,
  start: 17,
  generator: index % 3 === 0 ? 'entity' : 'phrase',
});
const judged = (one: Pair, verdict: 'keep' | 'drop') => ({ id: sampleId(one), path: one.path, passage: one.context, question: one.question, answer: one.answer, answerStart: one.start, verdict });

test('blind sample: the draw is repeatable, and a verdict counts only for the pair exactly as it was judged', () => {
  const pairs = Array.from({ length: 40 }, (_, index) => pair(index));
  const sample = drawSample(pairs, 5, 12);
  assert.deepEqual(drawSample([...pairs].reverse(), 5, 12), sample, 'the order of the pairs does not change the draw');
  assert.equal(new Set(sample.map((one) => one.path)).size, 5, 'one pair per paragraph while paragraphs last');
  const file: JudgementFile = { about: 'test', seed: 12, size: 5, pairs: sample.map((one, k) => judged(one, k === 0 ? 'drop' : 'keep')) };

  const current = judgeSample(sample, file, 'test.json');
  assert.deepEqual([current.judged, current.kept, current.keepRate, current.stale], [5, 4, 0.8, false]);

  // The generators now give the first pair another answer span: its verdict no longer counts and the file is stale.
  const changed = sample.map((one, k) => (k === 0 ? { ...one, answer: `${one.answer} and more` } : one));
  const stale = judgeSample(changed, file, 'test.json');
  assert.equal(stale.judged, 4);
  assert.equal(stale.stale, true);
  assert.equal(stale.staleness?.changedSinceJudged, 1);
  assert.match(stale.staleness!.note, /--write-sample bench\/judgements\/test\.json --seed 12 --sample 5/);

  // A pair the generators no longer make: the draw takes another one, which has no verdict yet.
  const without = pairs.filter((one) => one !== sample[1]);
  const redrawn = judgeSample(drawSample(without, 5, 12), file, 'test.json');
  assert.equal(redrawn.stale, true);
  assert.ok(redrawn.staleness!.notJudged >= 1 && redrawn.staleness!.judgedButNoLongerDrawn >= 1, JSON.stringify(redrawn.staleness));
  assert.equal(redrawn.judged, redrawn.drawn - redrawn.staleness!.notJudged);
});

test('blind sample: a redraw keeps the verdicts of unchanged pairs and leaves changed or new ones to be judged', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'spantune-sample-'));
  try {
    const file = path.join(folder, 'sample.json');
    const pairs = Array.from({ length: 20 }, (_, index) => pair(index));
    writeSample(file, pairs, 3, 4);
    const first = JSON.parse(readFileSync(file, 'utf8')) as JudgementFile;
    assert.ok(first.pairs.every((one) => one.verdict === null));
    for (const one of first.pairs) one.verdict = 'keep';
    writeFileSync(file, JSON.stringify(first));
    const changedId = first.pairs[0]!.id;
    const next = pairs.map((one) => (sampleId(one) === changedId ? { ...one, answer: 'another span' } : one));
    writeSample(file, next, 3, 4);
    const second = JSON.parse(readFileSync(file, 'utf8')) as JudgementFile;
    assert.deepEqual(
      second.pairs.map((one) => [one.id === changedId, one.verdict]),
      second.pairs.map((one) => [one.id === changedId, one.id === changedId ? null : 'keep']),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

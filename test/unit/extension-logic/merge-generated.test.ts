import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateFromFiles } from '../../../src/engine/generate';
import { mergeGenerated, questionKey } from '../../../src/extension/logic/merge-generated';
import { buildTrainingSets, emptyDataset, listEntries, reviewQuestions, type SpanTuneParagraph } from '../../../src/extension/logic/workspace-dataset';

const guide = [
  '# Tokenizer',
  '',
  'The tokenizer is the component that splits text into WordPiece units. It was written in 2019 by the platform team.',
  '',
  '# Training',
  '',
  'AdamW is the optimizer that fine-tuning uses. The learning rate is 3e-5 and the batch size is 32.',
  '',
].join('\n');

async function generated() {
  const { dataset, stats } = await generateFromFiles([{ path: 'docs/guide.md', text: guide }], { now: new Date('2025-01-01T00:00:00Z') });
  assert.ok(stats.pairs > 0, 'the generator finds pairs in the guide');
  return dataset;
}

test('generated pairs land unreviewed on passages that keep their source and exact spans', async () => {
  const dataset = emptyDataset();
  const incoming = await generated();
  const report = mergeGenerated(dataset, incoming);
  const entries = listEntries(dataset);
  assert.equal(report.added, entries.length);
  assert.ok(report.added > 0);
  assert.equal(report.duplicates, 0);
  for (const entry of entries) {
    assert.equal(entry.origin, 'generated');
    assert.equal(entry.reviewed, false);
    assert.equal(entry.path, 'docs/guide.md');
    for (const a of entry.answers) assert.equal(guide.slice(a.documentStart, a.documentEnd), a.text);
  }
});

test('merging the same generation twice adds nothing, and a human question is not duplicated', async () => {
  const dataset = emptyDataset();
  const incoming = await generated();
  const firstQuestion = (incoming.data[0]!.paragraphs[0] as SpanTuneParagraph).qas[0]!;
  const first = mergeGenerated(dataset, incoming);
  const again = mergeGenerated(dataset, await generated());
  assert.equal(again.added, 0);
  assert.equal(again.duplicates, first.added);

  // A person already asked the same question (other case, no question mark) on the same passage.
  const paragraph = incoming.data[0]!.paragraphs[0] as SpanTuneParagraph;
  const human = emptyDataset();
  human.data.push({
    title: 'docs/guide.md',
    paragraphs: [{ context: paragraph.context, source: paragraph.source, qas: [{ id: 'h1', question: firstQuestion.question.toUpperCase().replace(/\?$/, ''), answers: firstQuestion.answers, origin: 'human' }] }],
  });
  const report = mergeGenerated(human, incoming);
  assert.equal(report.duplicates, 1);
  assert.equal(listEntries(human).filter((e) => questionKey(e.question) === questionKey(firstQuestion.question)).length, 1);
  assert.equal(report.added, first.added - 1);
});

test('question keys ignore case, spacing and the question mark', () => {
  assert.equal(questionKey('What is  AdamW?'), questionKey('what is adamw'));
  assert.notEqual(questionKey('What is AdamW?'), questionKey('What is Adam?'));
});

test('bulk review accepts or rejects many pairs, and training leaves out unreviewed ones', async () => {
  const dataset = emptyDataset();
  mergeGenerated(dataset, await generated());
  const ids = listEntries(dataset).map((e) => e.id);
  assert.ok(ids.length >= 2);
  const count = (d: ReturnType<typeof emptyDataset>) => d.data.reduce((n, a) => n + a.paragraphs.reduce((m, p) => m + p.qas.length, 0), 0);
  assert.equal(count(buildTrainingSets(dataset, { includeUnreviewed: false, validationFraction: 0 }).train), 0);
  assert.equal(count(buildTrainingSets(dataset, { includeUnreviewed: true, validationFraction: 0 }).train), ids.length);

  reviewQuestions(dataset, ids.slice(0, 1), true);
  assert.equal(count(buildTrainingSets(dataset, { includeUnreviewed: false, validationFraction: 0 }).train), 1);
  reviewQuestions(dataset, ids.slice(1), false);
  assert.deepEqual(listEntries(dataset).map((e) => e.id), ids.slice(0, 1));
  assert.throws(() => reviewQuestions(dataset, ['nope'], true), /No question with id "nope"/);
});

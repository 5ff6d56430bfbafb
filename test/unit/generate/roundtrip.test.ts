/**
 * The round-trip filter: each generated question is answered by a QA model (the tiny random BERT
 * fixture), each pair records the model's answer and its token F1 with the generated one, and only
 * pairs at or above the least F1 are kept (or all are kept, marked, with keepFailed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { generateFromFiles } from '../../../src/engine/generate';
import { RoundTripFilter } from '../../../src/engine/generate/roundtrip';
import { runPrediction } from '../../../src/engine/qa/predict';
import { f1V1 } from '../../../src/engine/squad/metrics';
import type { SquadDataset, SquadQuestion } from '../../../src/engine/squad/types';
import type { RoundTripResult } from '../../../src/engine/generate/types';
import { copyFixtureModel } from '../../support/fixture-copy';

// A copy: ONNX Runtime keeps the model's built graph in its folder, and ../shared stays untouched.
const tinyBert = copyFixtureModel('tiny-bert-qa');
const DOC = [
  '# The Normans',
  '',
  'The Normans were a people who settled in Normandy. In 1066, the Normans invaded England. William the Conqueror led the invasion with 7,000 men.',
  '',
  '## Trade',
  '',
  'The town market opened in 1180 and sold wool and salt. A merchant is a person who buys and sells goods. The merchants paid $300 in taxes each year.',
].join('\n');
const files = [{ path: 'normans.md', text: DOC }];
const options = { maxPassageChars: 300, now: new Date(0) };

type CheckedQuestion = SquadQuestion & { roundTrip?: RoundTripResult };
const questionsOf = (dataset: SquadDataset) => dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((qa) => ({ qa: qa as CheckedQuestion, context: p.context }))));

test('every pair records the model answer and its F1; keepFailed keeps all, the default keeps those at or above the least F1', async () => {
  const plain = await generateFromFiles(files, options);
  assert.ok(plain.stats.pairs >= 4, `${plain.stats.pairs} pairs to check`);

  const marking = new RoundTripFilter({ modelDir: tinyBert, modelLabel: 'tiny', minF1: 0.5, keepFailed: true });
  const marked = await generateFromFiles(files, options, undefined, undefined, [marking.stage]);
  const checked = questionsOf(marked.dataset);
  assert.equal(checked.length, plain.stats.pairs, 'keepFailed keeps every pair');

  // The records are the model's own answers: ask it the same questions directly.
  const direct = await runPrediction({
    modelDir: tinyBert,
    examples: checked.map(({ qa, context }) => ({ id: qa.id, question: qa.question, context, answers: [], isImpossible: false })),
    maxSeqLength: 384, docStride: 128, maxQueryLength: 64, nBestSize: 20, maxAnswerLength: 30, batchSize: 16,
    version2WithNegative: false, nullScoreDiffThreshold: 0,
  });
  const answers = new Map(direct.predictions.map((p) => [p.id, p.text]));
  let passed = 0;
  for (const { qa, context } of checked) {
    const record = qa.roundTrip;
    assert.ok(record, `${qa.question} has a round-trip record`);
    assert.equal(record.model, 'tiny');
    assert.equal(record.answer, answers.get(qa.id));
    assert.ok(context.includes(record.answer), 'the model answered with a span of the passage');
    const f1 = f1V1(record.answer, qa.answers[0]!.text);
    assert.equal(record.f1, Math.round(f1 * 1000) / 1000);
    assert.equal(record.passed, record.f1 >= 0.5);
    if (record.passed) passed++;
  }
  assert.deepEqual(marking.report, { model: 'tiny', minF1: 0.5, checked: checked.length, passed, dropped: 0, backend: marking.report?.backend });

  // The random model rarely overlaps at 0.5: drop at its best F1 so that some pass and some do not.
  const best = Math.max(...checked.map(({ qa }) => qa.roundTrip!.f1));
  const passing = checked.filter(({ qa }) => qa.roundTrip!.f1 >= best);
  assert.ok(best > 0 && passing.length < checked.length, `best F1 ${best}`);
  const dropping = new RoundTripFilter({ modelDir: tinyBert, modelLabel: 'tiny', minF1: best });
  const filtered = await generateFromFiles(files, options, undefined, undefined, [dropping.stage]);
  const kept = questionsOf(filtered.dataset);
  assert.deepEqual(kept.map(({ qa }) => qa.id), passing.map(({ qa }) => qa.id));
  assert.ok(kept.every(({ qa }) => qa.roundTrip?.passed && qa.roundTrip.f1 >= best));
  assert.equal(filtered.stats.pairs, passing.length);
  assert.equal(dropping.report?.dropped, checked.length - passing.length);

  // The least F1 decides: 0 keeps everything (each answer scores at least 0), and says all passed.
  const lenient = new RoundTripFilter({ modelDir: tinyBert, minF1: 0 });
  const all = await generateFromFiles(files, options, undefined, undefined, [lenient.stage]);
  assert.equal(all.stats.pairs, plain.stats.pairs);
  assert.equal(lenient.report?.passed, plain.stats.pairs);
  assert.ok(questionsOf(all.dataset).every(({ qa }) => qa.roundTrip?.model === tinyBert), 'the label defaults to the model folder');
});

test('no pairs: no model is loaded; a missing model or a bad least F1 is a user error', async () => {
  const filter = new RoundTripFilter({ modelDir: '/nowhere/model' });
  const empty = await generateFromFiles([{ path: 'x.md', text: '# X\n\nNothing here to ask about at all, really nothing.' }], { generators: ['table'] }, undefined, undefined, [filter.stage]);
  assert.equal(empty.stats.pairs, 0);
  assert.equal(filter.report?.checked, 0);
  await assert.rejects(generateFromFiles(files, options, undefined, undefined, [filter.stage]), UserError);
  assert.throws(() => new RoundTripFilter({ modelDir: tinyBert, minF1: 1.5 }), /least F1 must be between 0 and 1, got 1.5/);
});

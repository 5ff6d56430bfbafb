/**
 * Review at scale: the Dataset panel's entries carry each pair's generator and round-trip result,
 * sort by them, and the bulk accept takes only the unreviewed pairs that passed; an edit voids a
 * round-trip result.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderEntries } from '../../../src/extension/logic/entry-order';
import { acceptPassed, editQuestion, listEntries, markUnanswerable, type SpanTuneQuestion } from '../../../src/extension/logic/workspace-dataset';
import type { SquadDataset } from '../../../src/engine/squad/types';

const context = 'The Normans settled in Normandy. In 1066 they invaded England with 7,000 men.';

function pair(id: string, answer: string, extra: Partial<SpanTuneQuestion> = {}): SpanTuneQuestion {
  return { id, question: `Question ${id}?`, answers: [{ text: answer, answer_start: context.indexOf(answer) }], is_impossible: false, origin: 'generated', reviewed: false, ...extra };
}
const trip = (f1: number, passed: boolean, answer = 'Normandy') => ({ model: 'run 7', answer, f1, passed });

function dataset(): SquadDataset {
  return {
    version: 'v2.0',
    data: [
      {
        title: 'normans.md',
        paragraphs: [
          {
            context,
            source: { path: 'normans.md', start: 0, end: context.length, sha256: 'x' },
            qas: [
              pair('a', 'Normandy', { generator: 'entity', roundTrip: trip(1, true) }),
              pair('b', '1066', { generator: 'entity', roundTrip: trip(0, false, 'England') }),
              pair('c', 'England', { generator: 'llm', roundTrip: trip(0.667, true, 'invaded England') }),
              pair('d', '7,000 men', { generator: 'definition' }),
              pair('e', 'Normans', { generator: 'llm', roundTrip: trip(1, true), reviewed: true }),
              { id: 'h', question: 'Who settled in Normandy?', answers: [{ text: 'The Normans', answer_start: 0 }], origin: 'human' },
              pair('x', 'England', { generator: 'heading', roundTrip: { passed: 'yes' } as never }),
            ],
          },
        ],
      },
    ],
  };
}

test('entries carry the generator and a well-formed round-trip result (a malformed one is ignored)', () => {
  const entries = new Map(listEntries(dataset()).map((e) => [e.id, e]));
  assert.equal(entries.get('a')!.generator, 'entity');
  assert.deepEqual(entries.get('b')!.roundTrip, trip(0, false, 'England'));
  assert.equal(entries.get('d')!.roundTrip, undefined);
  assert.equal(entries.get('h')!.generator, undefined);
  assert.equal(entries.get('x')!.roundTrip, undefined);
});

test('sorting by the round trip puts the best (or worst) F1 first and the pairs without a result last; by generator groups them', () => {
  const entries = listEntries(dataset());
  assert.deepEqual(orderEntries(entries, 'roundTripBest').map((e) => e.id), ['a', 'e', 'c', 'b', 'd', 'h', 'x']);
  assert.deepEqual(orderEntries(entries, 'roundTripWorst').map((e) => e.id), ['b', 'c', 'a', 'e', 'd', 'h', 'x']);
  assert.deepEqual(orderEntries(entries, 'generator').map((e) => e.id), ['d', 'a', 'b', 'x', 'c', 'e', 'h']);
  assert.deepEqual(orderEntries(entries, 'passage').map((e) => e.id), entries.map((e) => e.id));
});

test('accepting those that passed accepts only unreviewed pairs with a passed round trip, among the ids given', () => {
  const reviewed = (d: SquadDataset) => Object.fromEntries(d.data[0]!.paragraphs[0]!.qas.map((q) => [q.id, q.reviewed ?? true]));
  const some = dataset();
  assert.equal(acceptPassed(some, ['a', 'b', 'd']), 1);
  assert.deepEqual(reviewed(some), { a: true, b: false, c: false, d: false, e: true, h: true, x: false });
  const all = dataset();
  assert.equal(acceptPassed(all), 2);
  assert.deepEqual(reviewed(all), { a: true, b: false, c: true, d: false, e: true, h: true, x: false });
});

test('editing the question or the answer, or marking it unanswerable, voids the round-trip result; a save without change keeps it', () => {
  const d = dataset();
  const result = (id: string) => listEntries(d).find((e) => e.id === id)!.roundTrip;
  editQuestion(d, 'a', { question: 'Question a?' });
  assert.ok(result('a'), 'unchanged');
  editQuestion(d, 'a', { question: 'Where did the Normans settle?' });
  assert.equal(result('a'), undefined);
  editQuestion(d, 'c', { answerText: '7,000 men' });
  assert.equal(result('c'), undefined);
  markUnanswerable(d, 'b');
  assert.equal(result('b'), undefined);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { generateFromFiles, passagesOf, pairsForPassage, GENERATOR_NAMES } from '../../../src/engine/generate';
import { assertExactSpan, checkCandidates, selectPairs } from '../../../src/engine/generate/pairs';
import { readsAsQuestion } from '../../../src/engine/generate/question';
import { normalizeAnswer } from '../../../src/engine/squad/metrics';
import type { SquadDataset } from '../../../src/engine/squad/types';
import { sharedDir } from './helpers';

const xquad = JSON.parse(readFileSync(path.join(sharedDir, 'data/xquad-en/xquad.en.json'), 'utf8')) as SquadDataset;

test('over XQuAD contexts every generated answer is exactly the passage text at answer_start, and every question reads as one', () => {
  let pairs = 0;
  const contexts = xquad.data.flatMap((article) => article.paragraphs.map((paragraph) => paragraph.context)).slice(0, 60);
  for (const [index, context] of contexts.entries()) {
    for (const passage of passagesOf({ path: `x${index}.txt`, text: context }, 1_000_000)) {
      assert.equal(context.slice(passage.start, passage.end), passage.text);
      const generated = pairsForPassage(passage, GENERATOR_NAMES, 10);
      assert.ok(generated.length <= 10);
      const seen = new Set<string>();
      for (const pair of generated) {
        pairs++;
        assert.equal(passage.text.slice(pair.answerStart, pair.answerStart + pair.answer.length), pair.answer);
        assert.equal(context.slice(passage.start + pair.answerStart, passage.start + pair.answerStart + pair.answer.length), pair.answer);
        assert.ok(pair.confidence >= 0 && pair.confidence <= 1);
        if (pair.generator !== 'cloze') assert.ok(readsAsQuestion(pair.question), pair.question);
        const key = normalizeAnswer(pair.question);
        assert.ok(!seen.has(key), `duplicate question ${pair.question}`);
        seen.add(key);
      }
    }
  }
  assert.ok(pairs > 100, `only ${pairs} pairs`);
});

test('a span that is not the passage text is refused loudly; markup and non-questions are dropped', () => {
  assert.throws(() => assertExactSpan('The cat sat.', 'dog', 4), /not the passage text/);
  assert.doesNotThrow(() => assertExactSpan('The cat sat.', 'cat', 4));
  const [passage] = passagesOf({ path: 'a.md', text: 'The **bold** word is here in this passage.' });
  assert.ok(passage);
  const start = passage.start;
  const kept = checkCandidates(passage, 'definition', [
    { question: 'What is bold?', start: start + 4, end: start + 12, confidence: 0.5 }, // contains ** markup
    { question: 'Tell me the word', start: start + 13, end: start + 17, confidence: 0.5 }, // not a question
    { question: 'Which word is here?', start: start + 13, end: start + 17, confidence: 0.5 }, // states its own answer
    { question: 'What is here?', start: start + 13, end: start + 17, confidence: 2 },
  ]);
  assert.deepEqual(kept.map((pair) => [pair.question, pair.answer, pair.confidence]), [['What is here?', 'word', 1]]);
  assert.throws(() => checkCandidates(passage, 'entity', [{ question: 'What?', start: start - 1, end: start + 3, confidence: 0.5 }]), /outside its passage/);
});

test('duplicates (by normalised question) keep the most confident pair; the cap keeps the most confident', () => {
  const pair = (question: string, confidence: number, answerStart: number) => ({ question, answer: 'x', answerStart, confidence, generator: 'entity' as const });
  const selected = selectPairs([pair('What is X?', 0.3, 0), pair('what is x', 0.6, 5), pair('Who is Y?', 0.5, 9), pair('When is Z?', 0.1, 2)], 2);
  assert.deepEqual(selected.map((p) => [p.question, p.confidence]), [['what is x', 0.6], ['Who is Y?', 0.5]]);
});

const longDocument = [
  '# History',
  '',
  'The Normans were a people who settled in Normandy. In 1066, the Normans invaded England. William the Conqueror led the invasion with 7,000 men.',
  '',
  '## Trade',
  '',
  'The town market opened in 1180 and sold wool and salt. The merchants paid $300 in taxes to the abbey each year.',
  '',
  '## Weather',
  '',
  'Winters in the valley are mild. The river froze in 1709 for three weeks. Farmers planted rye in the spring.',
].join('\n');

test('negatives: a question moved to another passage of the same document that lacks its answer, as SQuAD v2.0', async () => {
  const files = [{ path: 'history.md', text: longDocument }];
  const { dataset, stats } = await generateFromFiles(files, { negatives: 0.5, maxPassageChars: 200, now: new Date('2026-01-02T03:04:05Z') });
  assert.equal(dataset.version, 'v2.0');
  assert.ok(stats.pairs > 3, `pairs ${stats.pairs}`);
  assert.equal(stats.negatives + stats.negativesShort, Math.round(stats.pairs * 0.5));
  assert.ok(stats.negatives > 0);
  const answers = new Map<string, string>();
  for (const paragraph of dataset.data[0]!.paragraphs) {
    for (const qa of paragraph.qas) if (!qa.is_impossible) answers.set(qa.id, qa.answers[0]!.text);
  }
  let negatives = 0;
  for (const paragraph of dataset.data[0]!.paragraphs) {
    const source = paragraph.source as { path: string; start: number; end: number; sha256: string };
    assert.equal(longDocument.slice(source.start, source.end), paragraph.context);
    for (const qa of paragraph.qas) {
      assert.equal(qa.origin, 'generated');
      assert.equal(qa.reviewed, false);
      assert.equal(qa.created, '2026-01-02T03:04:05.000Z');
      if (!qa.is_impossible) {
        assert.equal(paragraph.context.slice(qa.answers[0]!.answer_start, qa.answers[0]!.answer_start + qa.answers[0]!.text.length), qa.answers[0]!.text);
        continue;
      }
      negatives++;
      assert.deepEqual(qa.answers, []);
      const answer = answers.get(qa.negativeOf as string);
      assert.ok(answer !== undefined, 'a negative names the pair it came from');
      assert.ok(!paragraph.context.includes(answer), `negative passage contains its answer ${answer}`);
    }
  }
  assert.equal(negatives, stats.negatives);
});

test('the same input and seed give the same dataset; cancel stops between files; bad options are user errors', async () => {
  const files = [{ path: 'history.md', text: longDocument }];
  const options = { negatives: 0.3, maxPassageChars: 200, now: new Date(0), seed: 5 };
  assert.deepEqual(await generateFromFiles(files, options), await generateFromFiles(files, options));
  const controller = new AbortController();
  const seen: number[] = [];
  const pending = generateFromFiles([...files, { path: 'b.md', text: longDocument }], {}, (done) => {
    seen.push(done);
    controller.abort();
  }, controller.signal);
  await assert.rejects(pending, (error: unknown) => (error as Error).name === 'AbortError');
  assert.deepEqual(seen, [1]);
  await assert.rejects(generateFromFiles(files, { negatives: 2 }), UserError);
  await assert.rejects(generateFromFiles(files, { generators: ['nope' as never] }), /unknown generator 'nope'/);
  await assert.rejects(generateFromFiles(files, { maxPerPassage: 0 }), UserError);
});

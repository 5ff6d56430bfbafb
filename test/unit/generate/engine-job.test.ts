/**
 * Generation as a job of the engine process: the same dataset as in-process generation, progress and
 * cancel over IPC, the caller's language model answering the engine's chat requests, and the
 * round-trip filter running in the engine.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { generateFromFiles } from '../../../src/engine/generate';
import type { ChatBackend, ChatRequest } from '../../../src/engine/generate/llm/chat';
import { EngineProcessError } from '../../../src/engine/process/client';
import { copyFixtureModel } from '../../support/fixture-copy';
import { sourceEngine } from '../../support/training-fixtures';

const section = (n: number) =>
  `## Section ${n}\n\nThe Normans were a people who settled in Normandy. In ${1000 + n}, the Normans invaded England. William the Conqueror led the invasion with ${n * 1000} men. A merchant is a person who buys and sells goods.\n`;
const files = [
  { path: 'a.md', text: `# History\n\n${section(1)}\n${section(2)}` },
  { path: 'b.md', text: `# More\n\n${section(3)}` },
];
const options = { maxPassageChars: 400, now: new Date('2026-01-01T00:00:00Z') };

const client = sourceEngine();
after(() => client.dispose());

/** A language model that proposes the passage's first number and its first capitalised name. */
class FakeChat implements ChatBackend {
  readonly label = 'fake chat';
  readonly requests: ChatRequest[] = [];
  constructor(private readonly failAt?: number) {}
  async complete(request: ChatRequest) {
    this.requests.push(request);
    if (this.failAt !== undefined && this.requests.length >= this.failAt) throw new Error('the model quota is used up');
    const passage = /"""\n([\s\S]*)\n"""/.exec(request.user)![1]!;
    const number = /\d+ men/.exec(passage)![0];
    return { text: JSON.stringify({ pairs: [{ question: 'How large was the army of the invasion?', answer: number }] }) };
  }
}

test('a generate job gives the dataset that in-process generation gives, with progress per file', async () => {
  const progress: [number, number, string | undefined][] = [];
  const outcome = await client.generate({ files, options }, { onProgress: (done, total, stage) => progress.push([done, total, stage]) });
  const local = await generateFromFiles(files, options);
  assert.deepEqual(outcome.dataset, local.dataset);
  assert.deepEqual(outcome.stats, local.stats);
  assert.deepEqual(progress, [[1, 2, 'files'], [2, 2, 'files']]);
  assert.equal(outcome.roundTrip, undefined);
});

test("the caller's language model answers the engine's requests; its failure fails the job with its message", async () => {
  const chat = new FakeChat();
  const stages = new Set<string | undefined>();
  const outcome = await client.generate({ files, options, chatModel: { label: chat.label } }, { chat, onProgress: (_d, _t, stage) => stages.add(stage) });
  assert.equal(chat.requests.length, 3, 'one request per passage');
  assert.ok(stages.has('language model'));
  const llm = outcome.dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.filter((q) => q.generator === 'llm').map((q) => ({ q, p }))));
  assert.equal(llm.length, 3);
  for (const { q, p } of llm) assert.equal(p.context.slice(q.answers[0]!.answer_start, q.answers[0]!.answer_start + q.answers[0]!.text.length), q.answers[0]!.text);
  assert.equal(outcome.languageModel?.pairs, 3);
  assert.equal(outcome.languageModel?.model, 'fake chat');

  await assert.rejects(client.generate({ files, options, chatModel: { label: 'fake chat' } }, { chat: new FakeChat(2) }), (error: Error) => {
    assert.ok(error instanceof EngineProcessError && error.userError);
    assert.equal(error.message, 'the model quota is used up');
    return true;
  });
});

test('the round-trip filter runs in the engine and reports what it dropped', async () => {
  const outcome = await client.generate({ files, options, roundTrip: { modelDir: copyFixtureModel('tiny-bert-qa'), modelLabel: 'tiny', minF1: 0, keepFailed: true } });
  const questions = outcome.dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
  assert.ok(questions.length > 0);
  assert.ok(questions.every((q) => (q.roundTrip as { model: string; passed: boolean }).model === 'tiny' && (q.roundTrip as { passed: boolean }).passed));
  assert.deepEqual(outcome.roundTrip && { checked: outcome.roundTrip.checked, passed: outcome.roundTrip.passed, dropped: outcome.roundTrip.dropped }, { checked: questions.length, passed: questions.length, dropped: 0 });
});

test('cancel stops a generate job, which rejects as cancelled, and the engine takes the next job', async () => {
  // Files large enough that the cancel arrives long before the last one.
  const many = Array.from({ length: 40 }, (_, i) => ({ path: `doc${i}.md`, text: `# Doc ${i}\n\n${Array.from({ length: 20 }, (_, j) => section(i * 20 + j)).join('\n')}` }));
  const controller = new AbortController();
  const seen: number[] = [];
  const pending = client.generate({ files: many, options }, { signal: controller.signal, onProgress: (done) => (seen.push(done), controller.abort()) });
  await assert.rejects(pending, (error: Error) => error instanceof EngineProcessError && error.message === 'cancelled');
  assert.ok(seen.length < many.length, `stopped after ${seen.length} of ${many.length} files`);
  const next = await client.generate({ files, options });
  assert.ok(next.stats.pairs > 0);
});

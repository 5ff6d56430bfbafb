/**
 * Language-model generation: reading replies, locating answers as exact spans, and the
 * OpenAI-compatible client against a local fake endpoint (scripted answers, bad JSON, timeouts, 429
 * with Retry-After, 5xx, refusals, caps, cancel).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { generateFromFiles, passagesOf } from '../../../src/engine/generate';
import { LanguageModelError } from '../../../src/engine/generate/llm/chat';
import { OpenAiChat, chatCompletionsUrl, retryAfterMs } from '../../../src/engine/generate/llm/openai';
import { parseReply } from '../../../src/engine/generate/llm/prompt';
import { pairsFromProposals, questionKey } from '../../../src/engine/generate/llm/spans';
import { LanguageModelStage } from '../../../src/engine/generate/llm/stage';
import { pairsReply, startFakeOpenAi, type FakeOpenAi, type RecordedRequest } from '../../support/fake-openai-server';

const DOC = [
  '# Rivers',
  '',
  'The Rhine rises in the Swiss Alps and flows 1,230 kilometres to the North Sea. Its largest tributary is the Main, which joins it at Mainz.',
  '',
  '## Ports',
  '',
  'Rotterdam is the largest port in Europe. It handled 440 million tonnes of cargo in 2022, most of it carried on barges along the Rhine.',
  '',
  '## Bridges',
  '',
  'The oldest bridge over the river still standing was built in 1856 at Cologne. Engineers replaced its deck twice during the last century.',
].join('\n');
const files = [{ path: 'rivers.md', text: DOC }];
const options = { generators: ['definition' as const], maxPassageChars: 200, now: new Date(0) };

let server: FakeOpenAi;
before(async () => {
  server = await startFakeOpenAi();
});
after(() => server.close());

/** Answers each request with pairs whose answers are words of the passage it was sent, plus one paraphrase. */
function spanReply(request: RecordedRequest): string {
  const words = request.passage.match(/\b[A-Z][a-z]+\b|\b\d[\d,]*\b/g) ?? [];
  return pairsReply([
    ...words.slice(0, 3).map((word, i): [string, string] => [`Which word number ${i + 1} does the passage stress?`, word]),
    ['What is said about the weather in spring?', 'it is sunny and warm'],
  ]);
}

function chat(extra: Partial<ConstructorParameters<typeof OpenAiChat>[0]> = {}): OpenAiChat {
  return new OpenAiChat({ endpoint: server.url, model: 'fake-model', timeoutMs: 2000, backoffMs: 10, ...extra });
}

async function generateWith(llm: OpenAiChat, settings: ConstructorParameters<typeof LanguageModelStage>[1] = {}, signal?: AbortSignal) {
  const stage = new LanguageModelStage(llm, settings);
  const result = await generateFromFiles(files, options, undefined, signal, [stage.stage]);
  return { ...result, report: stage.report };
}

test('replies are read from plain JSON, fenced JSON, JSON after words, or a bare list; anything else is undefined', () => {
  const pairs = [{ question: 'Who?', answer: 'Ann' }];
  assert.deepEqual(parseReply(JSON.stringify({ pairs })), pairs);
  assert.deepEqual(parseReply('Sure! Here you go:\n```json\n' + JSON.stringify({ pairs }) + '\n```'), pairs);
  assert.deepEqual(parseReply('Here: ' + JSON.stringify(pairs) + ' Enjoy.'), pairs);
  assert.deepEqual(parseReply(JSON.stringify({ pairs: [...pairs, { question: 3 }, 'x'] })), pairs);
  assert.equal(parseReply('{"pairs": [{"question": "Who?", "answer": "Ann"'), undefined);
  assert.equal(parseReply('I cannot help with that.'), undefined);
  assert.equal(parseReply('{"answer": 42}'), undefined);
});

test('answers are located as exact, whole-word spans of the passage; paraphrases, markup, bad questions and duplicates are dropped', () => {
  const text = 'The Main joins the Rhine\nat Mainz. The **Main** is long.\nSee [the docs](https://example.com) about the Main river and its remains.';
  const [passage] = passagesOf({ path: 'a.md', text }, 2000);
  assert.ok(passage);
  const taken = new Set([questionKey('Where does the Main join the Rhine?')]);
  const check = pairsFromProposals(
    passage,
    [
      { question: 'Which river joins the Rhine at Mainz?', answer: 'Main' }, // three occurrences: the first, by the question's words
      { question: 'Where does the Main join the river?', answer: 'Rhine at Mainz' }, // a line break in the text
      { question: 'What does the Main do at Mainz?', answer: 'joins the rhine' }, // case differs: not a span
      { question: 'What does the text link to?', answer: 'the docs' }, // inside a link's markup? no: the link text is plain
      { question: 'What is long according to the text?', answer: '**Main**' }, // markup in the answer
      { question: 'Which part of the word remains is asked for?', answer: 'ain' }, // cut out of a word
      { question: 'Tell me the river', answer: 'Rhine' }, // not a question
      { question: 'Where does the Main join the Rhine?', answer: 'Mainz' }, // taken already
      { question: 'Is the Main river long?', answer: 'Main river' }, // states its answer
    ],
    taken,
  );
  assert.deepEqual(
    check.pairs.map((p) => [p.question, p.answer, p.answerStart]),
    [
      ['Which river joins the Rhine at Mainz?', 'Main', 4],
      ['Where does the Main join the river?', 'Rhine\nat Mainz', text.indexOf('Rhine')],
      ['What does the text link to?', 'the docs', text.indexOf('the docs')],
    ],
  );
  for (const pair of check.pairs) assert.equal(text.slice(pair.answerStart, pair.answerStart + pair.answer.length), pair.answer);
  assert.equal(check.notInPassage, 3);
  assert.equal(check.rejected, 2);
  assert.equal(check.duplicates, 1);
  assert.ok(check.pairs.every((p) => p.generator === 'llm'));
});

test('an OpenAI-compatible endpoint adds checked pairs to every passage, with the key only in the Authorization header', async () => {
  server.script([{ reply: spanReply }]);
  server.requests.length = 0;
  const { dataset, stats, report } = await generateWith(chat({ apiKey: 'sk-test-123' }), { questionsPerPassage: 2 });
  assert.equal(server.requests.length, 3, 'one request per passage');
  for (const request of server.requests) {
    assert.equal(request.path, '/v1/chat/completions');
    assert.equal(request.authorization, 'Bearer sk-test-123');
    assert.equal(request.body.model, 'fake-model');
    assert.deepEqual(request.body.response_format, { type: 'json_object' });
    assert.ok(DOC.includes(request.passage), 'the passage is sent as it is in the file');
    assert.ok(!JSON.stringify(request.body).includes('sk-test-123'));
  }
  const llmPairs = dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.filter((q) => q.generator === 'llm').map((q) => ({ q, p }))));
  assert.equal(llmPairs.length, 6, 'two per passage (the cap), the paraphrase dropped');
  assert.equal(stats.pairsByGenerator.llm, 6);
  for (const { q, p } of llmPairs) {
    const answer = q.answers[0]!;
    assert.equal(p.context.slice(answer.answer_start, answer.answer_start + answer.text.length), answer.text);
    assert.equal(q.reviewed, false);
  }
  assert.equal(report.requests, 3);
  assert.equal(report.pairs, 6);
  assert.equal(report.notInPassage, 3);
  assert.ok(report.tokens > 0);
});

test('429 with Retry-After is waited for, then the request succeeds; a long Retry-After stops with a clear message', async () => {
  server.script([{ status: 429, retryAfter: '1' }, { reply: spanReply }]);
  server.requests.length = 0;
  const started = Date.now();
  const { report } = await generateWith(chat(), { maxRequests: 1 });
  assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
  assert.equal(server.requests.length, 2);
  assert.equal(report.requests, 1);
  assert.equal(report.stoppedBy, 'requests');
  assert.equal(report.passagesSkipped, 2);

  server.script([{ status: 429, retryAfter: '3600' }]);
  await assert.rejects(generateWith(chat()), (error: Error) => error instanceof LanguageModelError && /rate limited \(HTTP 429: scripted 429\), and asks to wait 3600 s/.test(error.message));
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:30 GMT')), 30_000);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('a 500 is retried; one that persists stops generation with the server message', async () => {
  server.script([{ status: 500 }, { reply: spanReply }]);
  const { report } = await generateWith(chat(), { maxRequests: 1 });
  assert.equal(report.pairs > 0, true);
  server.script([{ status: 503, body: '{"error":{"message":"model is loading"}}' }]);
  server.requests.length = 0;
  await assert.rejects(generateWith(chat({ maxRetries: 2 })), (error: Error) => error instanceof LanguageModelError && error.message === 'fake-model at ' + new URL(server.url).host + ' failed 3 times in a row, the last time: HTTP 503: model is loading');
  assert.equal(server.requests.length, 3);
});

test('a request with no reply times out and is retried; cancel stops at once', async () => {
  server.script([{ stall: true }]);
  server.requests.length = 0;
  await assert.rejects(generateWith(chat({ timeoutMs: 200, maxRetries: 1 })), /failed 2 times in a row, the last time: no reply within 0\.2 s/);
  assert.equal(server.requests.length, 2);

  server.script([{ stall: true }, { reply: spanReply }]);
  const { report } = await generateWith(chat({ timeoutMs: 200 }), { maxRequests: 1 });
  assert.ok(report.pairs > 0, 'the retry after a timeout succeeded');

  server.script([{ stall: true }]);
  const controller = new AbortController();
  const started = Date.now();
  // Cancel once the server holds the request: a request still on its way would be answered by the next test's script.
  const seen = server.requests.length;
  const poll = setInterval(() => {
    if (server.requests.length === seen) return;
    clearInterval(poll);
    controller.abort(new Error('cancelled by the test'));
  }, 5);
  await assert.rejects(generateWith(chat({ timeoutMs: 30_000 }), {}, controller.signal), /cancelled by the test/);
  assert.ok(Date.now() - started < 2000);
});

test('replies that are not the JSON asked for are skipped; when none is, generation stops and says why', async () => {
  server.script([{ content: 'Here are some questions: 1. Who? 2. What?' }, { reply: spanReply }]);
  const { report } = await generateWith(chat());
  assert.equal(report.badReplies, 1);
  assert.ok(report.pairs > 0);

  server.script([{ content: '{"pairs": [' }]);
  await assert.rejects(generateWith(chat()), /none of the first 3 replies was the JSON list of questions asked for/);

  server.script([{ raw: '<html>Welcome to nginx</html>' }]);
  await assert.rejects(generateWith(chat()), (error: Error) => error instanceof LanguageModelError && /is not JSON, so not a chat completion/.test(error.message));
});

test('refusals are counted and the passage keeps its rule-based pairs; 401/404 stop with what to check and never show the key', async () => {
  server.script([{ refusal: 'I cannot help with that.' }]);
  const { report } = await generateWith(chat());
  assert.equal(report.refused, 3);
  assert.equal(report.pairs, 0);

  server.script([{ status: 401, body: '{"error":{"message":"Incorrect API key provided: sk-secret-9"}}' }]);
  server.requests.length = 0;
  await assert.rejects(generateWith(chat({ apiKey: 'sk-secret-9', apiKeySource: 'SPANTUNE_LLM_API_KEY' })), (error: Error) => {
    assert.match(error.message, /refused the request \(HTTP 401: Incorrect API key provided: \*\*\*\); check the API key in SPANTUNE_LLM_API_KEY/);
    assert.ok(!error.message.includes('sk-secret-9'));
    return true;
  });
  assert.equal(server.requests.length, 1, 'a refusal is not retried');

  server.script([{ status: 404 }]);
  await assert.rejects(generateWith(chat()), /HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: scripted 404: is it an OpenAI-compatible API/);
});

test('a server without JSON mode is asked again without it', async () => {
  server.script([{ status: 400, body: '{"error":{"message":"unknown field response_format"}}' }, { reply: spanReply }]);
  server.requests.length = 0;
  const { report } = await generateWith(chat(), { maxRequests: 2 });
  assert.ok(report.pairs > 0);
  assert.deepEqual(server.requests.map((r) => r.body.response_format !== undefined), [true, false, false]);
});

test('the token cap stops requests before they would pass it', async () => {
  server.script([{ content: pairsReply([]), usage: { prompt_tokens: 300, completion_tokens: 50 } }]);
  server.requests.length = 0;
  const { report } = await generateWith(chat(), { maxTokens: 1300, replyTokens: 500 });
  // Each prompt is about 210 tokens: 0 + 210 + 500 and 350 + 210 + 500 fit under 1300, 700 + 210 + 500 does not.
  assert.equal(report.requests, 2);
  assert.equal(report.tokens, 700);
  assert.equal(report.stoppedBy, 'tokens');
  assert.equal(server.requests.length, 2);
});

test('endpoints: base URLs get /chat/completions, bad URLs are user errors, a key is never sent over plain http to another machine', async () => {
  assert.equal(chatCompletionsUrl('http://localhost:11434/v1/').toString(), 'http://localhost:11434/v1/chat/completions');
  assert.equal(chatCompletionsUrl('https://api.example.com/v1/chat/completions').toString(), 'https://api.example.com/v1/chat/completions');
  assert.throws(() => chatCompletionsUrl('localhost:11434'), UserError);
  assert.throws(() => chatCompletionsUrl('not a url'), UserError);
  assert.throws(() => new OpenAiChat({ endpoint: 'http://llm.example.com/v1', model: 'm', apiKey: 'k' }), /refusing to send the API key over plain http/);
  // A timeout longer than a timer holds would fire at once: refused with the range instead.
  for (const timeoutMs of [1e303, 2 ** 31, 0, Number.NaN]) {
    assert.throws(() => new OpenAiChat({ endpoint: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs }), /the language model timeout must be between 1 ms and 2147483647 ms/, String(timeoutMs));
  }
  assert.doesNotThrow(() => new OpenAiChat({ endpoint: 'http://127.0.0.1:1/v1', model: 'm', timeoutMs: 2 ** 31 - 1 }));
  const closed = await startFakeOpenAi();
  const url = closed.url;
  await closed.close();
  await assert.rejects(generateWith(new OpenAiChat({ endpoint: url, model: 'm' })), /cannot reach the language model at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: ECONNREFUSED/);
});

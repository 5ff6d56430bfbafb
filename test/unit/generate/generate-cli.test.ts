/**
 * `spantune generate` with a language model (a fake OpenAI-compatible endpoint on 127.0.0.1) and
 * with the round-trip filter (the tiny random BERT fixture): the summary reports what each did, the
 * key never shows, and a failing endpoint or a bad flag leaves no output file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { run as generate } from '../../../src/cli/commands/generate';
import { UserError } from '../../../src/engine/errors';
import type { SquadDataset } from '../../../src/engine/squad/types';
import { pairsReply, startFakeOpenAi, type FakeOpenAi } from '../../support/fake-openai-server';
import { copyFixtureModel } from '../../support/fixture-copy';

const repoRoot = path.resolve(__dirname, '../../..');
// A copy: ONNX Runtime keeps the model's built graph in its folder, and ../shared stays untouched.
const tinyBert = copyFixtureModel('tiny-bert-qa');
const KEY = 'sk-cli-secret-42';
const run = promisify(execFile);

let server: FakeOpenAi;
let root: string;
before(async () => {
  server = await startFakeOpenAi();
  root = mkdtempSync(path.join(tmpdir(), 'spantune-generate-cli-'));
  writeFileSync(
    path.join(root, 'normans.md'),
    [
      '# The Normans',
      '',
      'The Normans were a people who settled in Normandy. In 1066, the Normans invaded England. William the Conqueror led the invasion with 7,000 men.',
      '',
      '## Trade',
      '',
      'The town market opened in 1180 and sold wool and salt. A merchant is a person who buys and sells goods. The merchants paid $300 in taxes each year.',
    ].join('\n'),
  );
});
after(() => server.close());

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/run.ts'), 'generate', 'normans.md', '--cwd', root, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
}

const questions = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as SquadDataset).data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((qa) => ({ qa, context: p.context }))));

test('--llm-endpoint/--llm-model: pairs from the endpoint join the rule-based ones; the key goes only into the header', async () => {
  server.script([{ reply: (request) => pairsReply([['Which year is named in the passage?', /\d{4}/.exec(request.passage)![0]], ['What is not in the passage?', 'a paraphrase']]) }]);
  server.requests.length = 0;
  const out = path.join(root, 'llm.json');
  const { stdout, stderr } = await cli(['--out', out, '--llm-endpoint', server.url, '--llm-model', 'fake-model', '--llm-max-requests', '5'], { SPANTUNE_LLM_API_KEY: KEY });
  const summary = JSON.parse(stdout);
  assert.equal(summary.languageModel.requests, 2);
  assert.equal(summary.languageModel.pairs, 2);
  assert.equal(summary.languageModel.notInPassage, 2);
  assert.equal(summary.pairsByGenerator.llm, 2);
  assert.match(stderr, /asking fake-model at 127\.0\.0\.1:\d+ for questions/);
  assert.ok(!stdout.includes(KEY) && !stderr.includes(KEY), 'the key is never printed');
  assert.ok(server.requests.every((r) => r.authorization === `Bearer ${KEY}`));
  const llm = questions(out).filter(({ qa }) => qa.generator === 'llm');
  assert.equal(llm.length, 2);
  for (const { qa, context } of llm) assert.equal(context.slice(qa.answers[0]!.answer_start, qa.answers[0]!.answer_start + qa.answers[0]!.text.length), qa.answers[0]!.text);
});

test('an endpoint that refuses the key stops with one clear error line, exit 2 and no output file', async () => {
  server.script([{ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${KEY}` } }) }]);
  const out = path.join(root, 'refused.json');
  await assert.rejects(cli(['--out', out, '--llm-endpoint', server.url, '--llm-model', 'fake-model'], { SPANTUNE_LLM_API_KEY: KEY }), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 2);
    const last = error.stderr!.trim().split('\n').at(-1)!;
    assert.match(last, /^error: fake-model at 127\.0\.0\.1:\d+ refused the request \(HTTP 401: Incorrect API key provided: \*\*\*\); check the API key in SPANTUNE_LLM_API_KEY$/);
    assert.ok(!error.stderr!.includes(KEY));
    return true;
  });
  assert.ok(!existsSync(out));
});

test('--filter-model: the summary says how many pairs the round trip kept and dropped; --keep-failed keeps them marked', async () => {
  const marked = path.join(root, 'marked.json');
  const kept = JSON.parse((await cli(['--out', marked, '--filter-model', tinyBert, '--keep-failed'])).stdout);
  const all = questions(marked);
  assert.equal(kept.roundTrip.checked, all.length);
  assert.equal(kept.roundTrip.dropped, 0);
  assert.equal(kept.roundTrip.passed, all.filter(({ qa }) => (qa.roundTrip as { passed: boolean }).passed).length);
  assert.ok(all.every(({ qa }) => (qa.roundTrip as { model: string }).model === tinyBert));

  const filtered = path.join(root, 'filtered.json');
  const { stdout, stderr } = await cli(['--out', filtered, '--filter-model', tinyBert, '--filter-min-f1', '0.5']);
  const summary = JSON.parse(stdout);
  assert.equal(summary.roundTrip.checked, all.length);
  assert.equal(summary.roundTrip.dropped, all.length - summary.roundTrip.passed);
  assert.equal(summary.pairs, summary.roundTrip.passed);
  assert.equal(questions(filtered).length, summary.roundTrip.passed);
  assert.match(stderr, new RegExp(`round trip with .*tiny-bert-qa: ${summary.roundTrip.passed} of ${all.length} pair\\(s\\) passed \\(F1 >= 0\\.5\\), ${summary.roundTrip.dropped} dropped`));
});

test('flag errors are user errors (one line, exit 2), found before any work', async () => {
  const out = path.join(root, 'never.json');
  const cases: [string[], RegExp][] = [
    [['--filter-min-f1', '0.5'], /--filter-min-f1 needs --filter-model/],
    [['--filter-model', path.join(root, 'nowhere')], /--filter-model .*nowhere: not a model folder \(no config.json\)/],
    [['--filter-model', tinyBert, '--filter-min-f1', '2'], /least F1 must be between 0 and 1, got 2/],
    [['--llm-model', 'm'], /--llm-model needs --llm-endpoint/],
    [['--llm-endpoint', server.url], /--llm-endpoint needs --llm-model/],
    [['--llm-endpoint', 'ftp://x', '--llm-model', 'm'], /must be an http\(s\) URL/],
    [['--llm-endpoint', server.url, '--llm-model', 'm', '--llm-max-requests', '0'], /--llm-max-requests must be at least 1/],
    [['--llm-questions', '3'], /--llm-questions needs --llm-endpoint and --llm-model/],
  ];
  // In this process: main() turns a UserError into its one line and exit code 2 (the tests above run the CLI whole).
  for (const [args, message] of cases) {
    await assert.rejects(generate(['normans.md', '--cwd', root, '--out', out, ...args]), (error: Error) => error instanceof UserError && message.test(error.message));
  }
  assert.ok(!existsSync(out));
});

/**
 * Inputs the CLI must accept, through the real `spantune` built from the current sources: negative
 * numbers written after a space (as run_qa.py and the official evaluation script take them), a text
 * with NUL and other control characters for `tokenize`, and predict's outputs written together.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { buildCli, type BuiltCli } from '../../support/cli';
import { copyFixtureModel } from '../../support/fixture-copy';
import { xquadSubset } from '../../support/training-fixtures';

// A private copy: a model run on ONNX Runtime keeps its graph in its folder, never in ../shared.
const tinyBertDir = copyFixtureModel('tiny-bert-qa');

let cli: BuiltCli;
before(async () => {
  cli = await buildCli();
});
const dir = mkdtempSync(path.join(tmpdir(), 'spantune-cli-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const data = path.join(dir, 'data.json');
writeFileSync(data, JSON.stringify(xquadSubset(1, { questionsPerParagraph: 3 })));
const windows = ['--max-seq-length', '64', '--doc-stride', '16', '--max-query-length', '16', '--backend', 'wasm'];

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

test('predict takes --null-score-diff-threshold -1e9 after a space, and uses it: every question gets no answer', async () => {
  const out = path.join(dir, 'negative');
  mkdirSync(out);
  const predict = (threshold: string, name: string) =>
    cli.run(['predict', '--model', tinyBertDir, '--data', data, '--out', path.join(out, name), '--version-2-with-negative', '--null-score-diff-threshold', threshold, ...windows]);
  const low = await predict('-1e9', 'low.json');
  assert.equal(low.code, 0, low.stderr);
  const high = await predict('1e9', 'high.json');
  assert.equal(high.code, 0, high.stderr);
  // The null answer wins when null score − best span score > threshold.
  assert.deepEqual(new Set(Object.values(readJson(path.join(out, 'low.json')))), new Set(['']));
  assert.ok(Object.values(readJson(path.join(out, 'high.json'))).every((text) => text !== ''));
});

test('evaluate takes --na-prob-thresh -1 after a space, and uses it', async () => {
  // The gold answers as predictions, each with a no-answer probability of 0.5.
  const qas = (JSON.parse(readFileSync(data, 'utf8')) as { data: { paragraphs: { qas: { id: string; answers: { text: string }[] }[] }[] }[] }).data[0]!.paragraphs[0]!.qas;
  const predictions = path.join(dir, 'gold-predictions.json');
  const naProbs = path.join(dir, 'na-probs.json');
  writeFileSync(predictions, JSON.stringify(Object.fromEntries(qas.map((q) => [q.id, q.answers[0]!.text]))));
  writeFileSync(naProbs, JSON.stringify(Object.fromEntries(qas.map((q) => [q.id, 0.5]))));
  const exact = async (...threshold: string[]) => {
    const run = await cli.run(['evaluate', '--data', data, '--predictions', predictions, '--version-2-with-negative', '--na-prob-file', naProbs, ...threshold]);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { exact: number }).exact;
  };
  // By default (1.0) the answers stand; at -1 every probability exceeds the threshold: all "no answer".
  assert.equal(await exact(), 100);
  assert.equal(await exact('--na-prob-thresh', '-1'), 0);
});

test('predict writes the predictions, the n-best and the null odds together, and nothing else', async () => {
  const out = path.join(dir, 'all');
  mkdirSync(out);
  const run = await cli.run([
    'predict', '--model', tinyBertDir, '--data', data, '--version-2-with-negative', ...windows,
    '--out', path.join(out, 'pred.json'), '--nbest-out', path.join(out, 'nbest.json'), '--null-odds-out', path.join(out, 'odds.json'),
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['nbest.json', 'odds.json', 'pred.json']);
  const ids = Object.keys(readJson(path.join(out, 'pred.json'))).sort();
  assert.equal(ids.length, 3);
  assert.deepEqual(Object.keys(readJson(path.join(out, 'nbest.json'))).sort(), ids);
  assert.deepEqual(Object.keys(readJson(path.join(out, 'odds.json'))).sort(), ids);
  assert.match(run.stderr.trimEnd().split('\n').at(-1)!, /^answered 3 questions from \d+ windows; wrote .*pred\.json, .*nbest\.json, .*odds\.json$/);
});

test('tokenize --file drops NUL and other control characters as BERT does, with offsets into the original text', async () => {
  const clean = 'The tide rises, twice a day.';
  const dirty = 'The\u0000 tide\u0007 rises,\u0000 twice a day.\u001b';
  const tokenize = async (text: string, name: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    const run = await cli.run(['tokenize', '--model', tinyBertDir, '--file', file]);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as { tokens: string[]; ids: number[]; offsets: [number, number][] };
  };
  const expected = await tokenize(clean, 'clean.txt');
  const got = await tokenize(dirty, 'dirty.txt');
  assert.deepEqual(got.tokens, expected.tokens);
  assert.deepEqual(got.ids, expected.ids);
  assert.deepEqual(got.tokens, ['the', 'tide', 'rises', ',', 'twice', 'a', 'day', '.']);
  got.offsets.forEach(([start, end], i) => assert.equal(dirty.slice(start, end).toLowerCase(), got.tokens[i]));
});

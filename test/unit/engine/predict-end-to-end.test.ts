/**
 * Question answering end to end on real data, on ONNX Runtime (the default): every question gets an
 * answer that is exactly the context's text at the reported offsets, over XQuAD and long COVID-QA
 * papers (many windows each); TensorFlow.js, still reachable through --backend, gives the same
 * answers; and the CLI's predict → evaluate chain with its bad-input paths.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { buildCli, type BuiltCli } from '../../support/cli';
import { readSafetensors, writeSafetensors } from '../../../src/engine/checkpoint/safetensors';
import { runPrediction } from '../../../src/engine/qa/predict';
import { flattenExamples, parseSquad } from '../../../src/engine/squad/dataset';
import type { QaExample } from '../../../src/engine/squad/types';
import { copyFixtureModel } from '../../support/fixture-copy';

const root = path.resolve(__dirname, '../../..');
const shared = path.resolve(root, '../shared');
// Copies: running a model on ONNX Runtime keeps its graph in the model folder.
const tinyBert = copyFixtureModel('tiny-bert-qa');
const tinyDistil = copyFixtureModel('tiny-distilbert-qa');

function load(file: string): QaExample[] {
  const full = path.join(shared, file);
  return flattenExamples(parseSquad(readFileSync(full, 'utf8'), full, { purpose: 'predict' }));
}

const settings = { maxSeqLength: 384, docStride: 128, maxQueryLength: 64, nBestSize: 20, maxAnswerLength: 30, batchSize: 16, nullScoreDiffThreshold: 0 };

function checkAnswers(examples: QaExample[], predictions: Awaited<ReturnType<typeof runPrediction>>['predictions']) {
  assert.equal(predictions.length, examples.length, 'every question answered');
  predictions.forEach((p, i) => {
    const context = examples[i]!.context;
    assert.equal(p.id, examples[i]!.id);
    assert.equal(p.text, context.slice(p.start, p.end), `answer of ${p.id} is the text at its offsets`);
    assert.ok(p.isNull || p.text.length > 0, `${p.id} has a non-empty answer`);
    // Hugging Face keeps n_best_size spans, plus the null answer in SQuAD v2.0 when it fell outside them.
    assert.ok(p.nbest.length > 0 && p.nbest.length <= 21, `n-best of ${p.id} has ${p.nbest.length} entries`);
    const total = p.nbest.reduce((s, a) => s + a.probability, 0);
    assert.ok(Math.abs(total - 1) < 1e-6, `n-best probabilities of ${p.id} sum to 1`);
    for (const a of p.nbest) if (!a.isNull) assert.equal(a.text, context.slice(a.start, a.end));
  });
}

let cli: BuiltCli;
before(async () => {
  cli = await buildCli();
});

test('XQuAD-en: all 1,190 questions answered with exact substrings (BERT, ONNX Runtime)', async () => {
  const examples = load('data/xquad-en/xquad.en.json');
  const out = await runPrediction({ ...settings, modelDir: tinyBert, examples, version2WithNegative: false });
  assert.match(out.backend, /^onnxruntime cpu, \d+ threads?\b/);
  assert.ok(out.windows >= examples.length);
  checkAnswers(examples, out.predictions);
});

test('TensorFlow.js (--backend wasm) gives the same answers as ONNX Runtime', async () => {
  const examples = load('data/xquad-en/xquad.en.json').slice(0, 40);
  const onnx = await runPrediction({ ...settings, modelDir: tinyBert, examples, version2WithNegative: true });
  const wasm = await runPrediction({ ...settings, modelDir: tinyBert, examples, version2WithNegative: true, backend: 'wasm' });
  assert.match(wasm.backend, /^tensorflow\.js wasm, 1 thread/);
  checkAnswers(examples, wasm.predictions);
  assert.deepEqual(wasm.predictions.map((p) => [p.text, p.start, p.end]), onnx.predictions.map((p) => [p.text, p.start, p.end]));
  wasm.predictions.forEach((p, i) => assert.ok(Math.abs(p.scoreDiff! - onnx.predictions[i]!.scoreDiff!) < 1e-4, `null odds of ${p.id}`));
});

test('COVID-QA: long papers split into many windows, including the longest context, stay within memory', async () => {
  const all = load('data/covid-qa/covidQA.json');
  const longest = all.reduce((a, b) => (b.context.length > a.context.length ? b : a));
  assert.ok(longest.context.length > 60_000);
  const sample = [longest, ...all.filter((_, i) => i % 150 === 0)];
  const out = await runPrediction({ ...settings, modelDir: tinyDistil, examples: sample, version2WithNegative: true });
  assert.ok(out.windows > sample.length * 10, `long contexts give many windows (${out.windows})`);
  checkAnswers(sample, out.predictions);
  for (const p of out.predictions) assert.equal(typeof p.scoreDiff, 'number', 'v2.0 gives null odds');
  // Windows go through the model in batches of 16: the process never holds them all at once in the runtime.
  const rss = process.memoryUsage().rss;
  assert.ok(rss < 1.5 * 1024 ** 3, `resident memory ${rss} bytes`);
});

test('spantune predict → evaluate on a SQuAD file, and bad inputs fail in one line with exit 2', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-cli-'));
  const xquad = JSON.parse(readFileSync(path.join(shared, 'data/xquad-en/xquad.en.json'), 'utf8'));
  const data = path.join(dir, 'data.json');
  writeFileSync(data, JSON.stringify({ version: '1.1', data: [{ ...xquad.data[0], paragraphs: xquad.data[0].paragraphs.slice(0, 2) }] }));
  const pred = path.join(dir, 'pred.json');
  const run = async (args: string[]) => {
    const { code, stdout, stderr } = await cli.run(args);
    return { status: code, stdout, stderr };
  };

  const predicted = await run(['predict', '--model', tinyBert, '--data', data, '--out', pred, '--nbest-out', path.join(dir, 'nbest.json'), '--max-seq-length', '128', '--doc-stride', '32']);
  assert.equal(predicted.status, 0, predicted.stderr);
  const predictions = JSON.parse(readFileSync(pred, 'utf8'));
  const ids = xquad.data[0].paragraphs.slice(0, 2).flatMap((p: { qas: { id: string }[] }) => p.qas.map((q) => q.id));
  assert.deepEqual(Object.keys(predictions).sort(), [...ids].sort());
  const scored = await run(['evaluate', '--data', data, '--predictions', pred]);
  assert.equal(scored.status, 0, scored.stderr);
  const scores = JSON.parse(scored.stdout);
  assert.ok(scores.exact_match >= 0 && scores.f1 >= scores.exact_match);

  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{"data": [ {"paragraphs": [ }');
  const bad = path.join(dir, 'never.json');
  const malformed = await run(['predict', '--model', tinyBert, '--data', broken, '--out', bad]);
  assert.equal(malformed.status, 2);
  assert.match(malformed.stderr.trim(), /^error: .*broken\.json.*line 1/);
  assert.equal(malformed.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(bad), 'no partial output file');

  const corrupt = path.join(dir, 'corrupt-model');
  execFileSync('cp', ['-r', tinyBert, corrupt]);
  const weights = readFileSync(path.join(corrupt, 'model.safetensors'));
  writeFileSync(path.join(corrupt, 'model.safetensors'), weights.subarray(0, weights.length - 1000));
  const truncated = await run(['predict', '--model', corrupt, '--data', data, '--out', bad]);
  assert.equal(truncated.status, 2);
  assert.match(truncated.stderr, /truncated/);
  assert.ok(!existsSync(bad));

  const noModel = await run(['ask', '--model', path.join(dir, 'missing'), '--context', 'x', '--question', 'y?']);
  assert.equal(noModel.status, 2);
  assert.match(noModel.stderr, /model folder not found/);
});

test('a model folder whose weights change on disk is loaded again, not served from the cache', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-cache-'));
  execFileSync('cp', ['-r', tinyBert, path.join(dir, 'model')]);
  const modelDir = path.join(dir, 'model');
  const examples = load('data/xquad-en/xquad.en.json').slice(0, 3);
  const ask = async () => (await runPrediction({ ...settings, modelDir, examples, version2WithNegative: false })).predictions.map((p) => p.nbest[0]!.score);
  const before = await ask();
  assert.deepEqual(await ask(), before, 'same weights, same scores');
  const { tensors } = await readSafetensors(path.join(modelDir, 'model.safetensors'));
  const head = tensors.get('qa_outputs.weight')!;
  await writeSafetensors(path.join(modelDir, 'model.safetensors'), [...tensors].map(([name, t]) => ({ name, shape: t.shape, data: t === head ? t.data.map((x) => -x) : t.data })));
  assert.notDeepEqual(await ask(), before, 'new weights are used');
});

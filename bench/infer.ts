/**
 * npm run bench:infer — forward windows/s of a MiniLM-L6-shaped QA model (random weights from a
 * seed) at 384 tokens, batch 8, in one run on: ONNX Runtime (the engine's default path: the cached
 * graph, the provider and threads the engine picks), TensorFlow.js (the fallback, best backend that
 * loads) and PyTorch (Debian's python3-torch, installed by bench/setup-pytorch.sh when missing; run
 * with its default and with a tuned allocator, the faster being the yardstick: see pytorch-env.ts);
 * then `predict` end to end on COVID-QA's long contexts (tokenizing, windows, answers) on ONNX Runtime.
 * Each figure is the median of RUNS timed batches after one warm-up batch, wall clock.
 * Usage: node --import tsx bench/infer.ts [RUNS=5] [QUESTIONS=24]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { describeProviders, physicalCores } from '../src/engine/onnx/providers';
import { openOnnxQaModel } from '../src/engine/onnx/qa-logits';
import { runPrediction } from '../src/engine/qa/predict';
import { flattenExamples, parseSquad } from '../src/engine/squad/dataset';
import { PYTORCH_RUNS } from './pytorch-env';
import { SHAPES, writeRandomBert } from './random-model';

const BATCH = 8;
const SEQ = 384;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Seeded token ids in bert-base-uncased's word range, every window full (no padding). */
function windowIds(): number[][] {
  let state = 12345;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), 1000 + (state % 29000));
  return Array.from({ length: BATCH }, () => Array.from({ length: SEQ }, (_, t) => (t === 0 ? 101 : t === SEQ - 1 ? 102 : next())));
}

async function timeRuns(runs: number, once: () => Promise<void>): Promise<{ windowsPerS: number; seconds: number[] }> {
  await once();
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    seconds.push((performance.now() - started) / 1000);
  }
  return { windowsPerS: +(BATCH / median(seconds)).toFixed(2), seconds: seconds.map((s) => +s.toFixed(3)) };
}

async function onnxRuntime(modelDir: string, runs: number) {
  const opened = performance.now();
  const model = await openOnnxQaModel(modelDir);
  const openSeconds = (performance.now() - opened) / 1000;
  const ids = windowIds();
  const tensor = (rows: number[][]) => model.session.tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [BATCH, SEQ]);
  const feeds = { input_ids: tensor(ids), attention_mask: tensor(ids.map((r) => r.map(() => 1))), token_type_ids: tensor(ids.map((r) => r.map((_, t) => (t < 20 ? 0 : 1)))) };
  const timing = await timeRuns(runs, async () => void (await model.session.run(feeds)));
  const engine = describeProviders(model.session.report);
  await model.session.release();
  return { engine, graph_built: model.graph.built, open_s: +openSeconds.toFixed(2), ...timing };
}

async function tensorflowJs(modelDir: string, runs: number) {
  const tf = await import('@tensorflow/tfjs');
  const { initBackend, summarizeBackend } = await import('../src/engine/backend/select');
  const { loadQaModel } = await import('../src/engine/model/load');
  const { forward, disposeModel } = await import('../src/engine/model/qa-model');
  const backend = await initBackend();
  const { model } = await loadQaModel(modelDir);
  const ids = windowIds();
  const inputs = { inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.ones([BATCH, SEQ], 'int32') as never, tokenTypeIds: tf.tensor2d(ids.map((r) => r.map((_, t) => (t < 20 ? 0 : 1))), undefined, 'int32') };
  const timing = await timeRuns(runs, async () => {
    const { start, end } = forward(model, inputs, { training: false });
    await Promise.all([start.data(), end.data()]);
    tf.dispose([start, end]);
  });
  disposeModel(model);
  return { engine: summarizeBackend(backend), ...timing };
}

function pytorch(modelDir: string, runs: number, threads: number) {
  try {
    execFileSync(path.join(__dirname, 'setup-pytorch.sh'), { stdio: 'inherit' });
  } catch (error) {
    return { engine: 'pytorch', error: (error as Error).message.split('\n')[0] };
  }
  const args = [path.join(__dirname, 'pytorch_infer.py'), modelDir, '--batch', String(BATCH), '--seq', String(SEQ), '--runs', String(runs), '--threads', String(threads)];
  const variants = PYTORCH_RUNS.map(({ label, env }) => {
    try {
      const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8', env: { ...process.env, ...env } });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as { windows_per_s: number; seconds_per_batch: number[]; torch: string; threads: number };
      return { engine: `pytorch ${result.torch}, ${result.threads} threads, ${label}`, windowsPerS: result.windows_per_s, seconds: result.seconds_per_batch };
    } catch (error) {
      return { engine: `pytorch, ${label}`, windowsPerS: 0, error: (error as Error).message.split('\n')[0] };
    }
  });
  const best = variants.reduce((a, b) => (b.windowsPerS > a.windowsPerS ? b : a));
  return { ...best, variants };
}

async function predictEndToEnd(modelDir: string, questions: number) {
  const file = path.resolve(__dirname, '../../shared/data/covid-qa/covidQA.json');
  const all = flattenExamples(parseSquad(readFileSync(file, 'utf8'), file, { purpose: 'predict' }));
  const step = Math.max(1, Math.floor(all.length / questions));
  const examples = all.filter((_, i) => i % step === 0).slice(0, questions);
  const settings = { modelDir, examples, maxSeqLength: SEQ, docStride: 128, maxQueryLength: 64, nBestSize: 20, maxAnswerLength: 30, batchSize: BATCH, version2WithNegative: false, nullScoreDiffThreshold: 0 };
  await runPrediction({ ...settings, examples: examples.slice(0, 1) });
  const started = performance.now();
  const out = await runPrediction(settings);
  const seconds = (performance.now() - started) / 1000;
  return { engine: out.backend, questions: examples.length, windows: out.windows, seconds: +seconds.toFixed(1), windowsPerS: +(out.windows / seconds).toFixed(2) };
}

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const questions = Number(process.argv[3] ?? 24);
  const shape = SHAPES['minilm-l6']!;
  const modelDir = await writeRandomBert(shape);
  const loadBefore = loadavg()[0]!;
  const threads = physicalCores();
  const onnx = await onnxRuntime(modelDir, runs);
  const torch = pytorch(modelDir, runs, threads);
  const tfjs = await tensorflowJs(modelDir, Math.min(runs, 3));
  const predict = await predictEndToEnd(modelDir, questions);
  const ratio = 'windowsPerS' in torch && torch.windowsPerS > 0 ? +(onnx.windowsPerS / torch.windowsPerS).toFixed(2) : undefined;
  console.log(JSON.stringify({
    benchmark: 'infer', model: shape.name, batch: BATCH, seq: SEQ, runs,
    machine: { cores: threads, load_average_before: +loadBefore.toFixed(2), load_average_after: +loadavg()[0]!.toFixed(2) },
    forward_windows_per_s: { onnxruntime: onnx, tensorflow_js: tfjs, pytorch: torch },
    onnxruntime_vs_pytorch: ratio,
    predict_covid_qa: predict,
  }, null, 2));
}
main();

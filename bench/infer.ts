/**
 * npm run bench:infer — questions/s and windows/s of `predict` on COVID-QA's long contexts with a
 * MiniLM-L6-shaped model (random weights from a seed) at seq 384, on the best backend here.
 * Usage: node --import tsx bench/infer.ts [QUESTIONS=24] [minilm-l6|bert-mini]
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runPrediction } from '../src/engine/qa/predict';
import { flattenExamples, parseSquad } from '../src/engine/squad/dataset';
import { PeakMemory, SHAPES, writeRandomBert } from './random-model';

async function main() {
  const questions = Number(process.argv[2] ?? 24);
  const shape = SHAPES[process.argv[3] ?? 'minilm-l6']!;
  const file = path.resolve(__dirname, '../../shared/data/covid-qa/covidQA.json');
  const all = flattenExamples(parseSquad(readFileSync(file, 'utf8'), file, { purpose: 'predict' }));
  // Spread the sample over the papers: every k-th question.
  const step = Math.max(1, Math.floor(all.length / questions));
  const examples = all.filter((_, i) => i % step === 0).slice(0, questions);
  const modelDir = await writeRandomBert(shape);
  const memory = new PeakMemory();
  const settings = { modelDir, examples, maxSeqLength: 384, docStride: 128, maxQueryLength: 64, nBestSize: 20, maxAnswerLength: 30, batchSize: 16, version2WithNegative: false, nullScoreDiffThreshold: 0 };
  // Warm-up on one question (loads the model, compiles the wasm kernels).
  await runPrediction({ ...settings, examples: examples.slice(0, 1) });
  const started = Date.now();
  const out = await runPrediction(settings, { onProgress: (d, t) => process.stderr.write(`\r${d}/${t} windows`) });
  const seconds = (Date.now() - started) / 1000;
  const peak = memory.stop();
  const chars = examples.reduce((s, e) => s + e.context.length, 0);
  process.stderr.write('\n');
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
  console.log(JSON.stringify({
    benchmark: 'infer', model: shape.name, seq: 384, stride: 128, backend: out.backend.split(' — ')[0],
    questions: examples.length, windows: out.windows, mean_context_chars: Math.round(chars / examples.length),
    seconds: +seconds.toFixed(1), questions_per_s: +(examples.length / seconds).toFixed(3), windows_per_s: +(out.windows / seconds).toFixed(2),
    peak_rss_mib: Math.round(peak / 2 ** 20), wasm_heap_mib: heap ? Math.round(heap / 2 ** 20) : undefined,
    pytorch_reference_windows_per_s: shape.layers === 6 ? 11.0 : 53,
  }, null, 2));
}
main();

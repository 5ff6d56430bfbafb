/**
 * npm run bench:train — training windows/s and peak memory of fine-tuning bert-mini-shaped (L4 H256)
 * and MiniLM-L6-shaped (L6 H384) models at seq 384, batch 8 (micro-batched as the backend's memory
 * needs), on the best backend here; printed beside the PyTorch figures of the engine note.
 * Usage: node --import tsx bench/train.ts [STEPS=3] [bert-mini,minilm-l6]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EngineEvent } from '../src/engine/process/protocol';
import { runTraining } from '../src/engine/train/trainer';
import { PeakMemory, SHAPES, writeRandomBert } from './random-model';

const PYTORCH_TRAIN_EXAMPLES_PER_S: Record<string, number> = { 'bert-mini': 20.7, 'minilm-l6': 5.2 };
const NOTE_BEST_WASM: Record<string, string> = { 'bert-mini': '2.0–2.4 (1 thread) / 2.7–3.2 (2 threads)', 'minilm-l6': '0.66 (1 thread) / 1.0 (2 threads)' };

/** COVID-QA questions whose contexts fill whole 384-token windows; a tiny separate validation file. */
function writeData(folder: string): { train: string; validation: string } {
  const file = path.resolve(__dirname, '../../shared/data/covid-qa/covidQA.json');
  const covid = JSON.parse(readFileSync(file, 'utf8'));
  const article = covid.data[0];
  const paragraph = article.paragraphs[0];
  const qas = paragraph.qas.filter((qa: { answers: { text: string; answer_start: number }[] }) =>
    qa.answers.every((a) => paragraph.context.slice(a.answer_start, a.answer_start + a.text.length) === a.text));
  const train = path.join(folder, 'train.json');
  const validation = path.join(folder, 'validation.json');
  writeFileSync(train, JSON.stringify({ version: '1.1', data: [{ title: 'covid', paragraphs: [{ context: paragraph.context, qas }] }] }));
  const short = { context: 'The incubation period of the virus is about five days.', qas: [{ id: 'v1', question: 'How long is the incubation period?', answers: [{ text: 'about five days', answer_start: 38 }] }] };
  writeFileSync(validation, JSON.stringify({ version: '1.1', data: [{ title: 'v', paragraphs: [short] }] }));
  return { train, validation };
}

async function benchmark(key: string, steps: number) {
  const shape = SHAPES[key]!;
  const folder = mkdtempSync(path.join(tmpdir(), 'spantune-bench-train-'));
  const data = writeData(folder);
  const modelDir = await writeRandomBert(shape);
  const events: Extract<EngineEvent, { type: 'step' }>[] = [];
  let started: Extract<EngineEvent, { type: 'started' }> | undefined;
  const memory = new PeakMemory();
  const stepTimes: number[] = [];
  let last = Date.now();
  await runTraining(
    {
      modelDir, trainFile: data.train, validationFile: data.validation, outputDir: path.join(folder, 'out'),
      epochs: 1, maxSteps: steps + 1, batchSize: 8, learningRate: 3e-5, warmupRatio: 0, weightDecay: 0.01, maxGradNorm: 1,
      seed: 1, maxSeqLength: 384, docStride: 128, maxQueryLength: 64, version2WithNegative: false,
    },
    {
      jobId: key, signal: new AbortController().signal,
      emit: (e) => {
        if (e.type === 'started') {
          started = e;
          last = Date.now();
        }
        if (e.type === 'eval') last = Date.now();
        if (e.type === 'step') {
          events.push(e);
          stepTimes.push((Date.now() - last) / 1000);
          last = Date.now();
          process.stderr.write(`${key}: step ${e.step} loss ${e.loss.toFixed(4)} ${stepTimes.at(-1)!.toFixed(1)} s\n`);
        }
      },
    },
  );
  const peak = memory.stop();
  // The first step pays for kernel set-up; time the rest.
  const timed = stepTimes.slice(1);
  const seconds = timed.reduce((a, b) => a + b, 0);
  return {
    model: shape.name, seq: 384, batch: 8, micro_batch: started?.microBatchSize, backend: started?.backend.name,
    threads: started?.backend.threads, timed_steps: timed.length,
    examples_per_s: +((timed.length * 8) / seconds).toFixed(3),
    peak_rss_mib: Math.round(peak / 2 ** 20),
    pytorch_examples_per_s: PYTORCH_TRAIN_EXAMPLES_PER_S[key], note_best_wasm_examples_per_s: NOTE_BEST_WASM[key],
  };
}

async function main() {
  const steps = Number(process.argv[2] ?? 3);
  const keys = (process.argv[3] ?? 'bert-mini,minilm-l6').split(',');
  const results = [];
  for (const key of keys) results.push(await benchmark(key, steps));
  console.log(JSON.stringify({ benchmark: 'train', results }, null, 2));
}
main();

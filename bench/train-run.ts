/**
 * One timed training run of `npm run bench:train`, in its own process (so that its peak memory is its
 * own): SpanTune's trainer on a random-weight checkpoint of SHAPE, full 384-token windows of COVID-QA,
 * BATCH windows per step, STEPS timed steps after one warm-up step. Wall clock per step from one step
 * event to the next: micro-batches, dropout masks, gradients, clipping and AdamW all included.
 * Prints one JSON line. Usage: node --import tsx bench/train-run.ts onnx|wasm SHAPE BATCH STEPS
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EngineBackend, EngineEvent } from '../src/engine/process/protocol';
import { runTraining } from '../src/engine/train/trainer';
import { SHAPES, writeRandomBert } from './random-model';
import { scratchFolder } from './scratch';

/** COVID-QA questions whose contexts fill whole 384-token windows; a one-question validation file. */
export function writeData(folder: string): { train: string; validation: string } {
  const file = path.resolve(__dirname, '../../shared/data/covid-qa/covidQA.json');
  const covid = JSON.parse(readFileSync(file, 'utf8'));
  const paragraph = covid.data[0].paragraphs[0];
  const qas = paragraph.qas.filter((qa: { answers: { text: string; answer_start: number }[] }) =>
    qa.answers.every((a) => paragraph.context.slice(a.answer_start, a.answer_start + a.text.length) === a.text));
  const train = path.join(folder, 'train.json');
  const validation = path.join(folder, 'validation.json');
  writeFileSync(train, JSON.stringify({ version: '1.1', data: [{ title: 'covid', paragraphs: [{ context: paragraph.context, qas }] }] }));
  const short = { context: 'The incubation period of the virus is about five days.', qas: [{ id: 'v1', question: 'How long is the incubation period?', answers: [{ text: 'about five days', answer_start: 38 }] }] };
  writeFileSync(validation, JSON.stringify({ version: '1.1', data: [{ title: 'v', paragraphs: [short] }] }));
  return { train, validation };
}

async function main() {
  const [backend, shapeKey, batchText, stepsText] = process.argv.slice(2) as [EngineBackend, string, string, string];
  const shape = SHAPES[shapeKey]!;
  const batch = Number(batchText);
  const steps = Number(stepsText);
  const folder = scratchFolder('train');
  const data = writeData(folder);
  const modelDir = await writeRandomBert(shape);
  let started: Extract<EngineEvent, { type: 'started' }> | undefined;
  const stepSeconds: number[] = [];
  let last = 0;
  await runTraining(
    {
      modelDir, trainFile: data.train, validationFile: data.validation, outputDir: path.join(folder, 'out'),
      epochs: 1, maxSteps: steps + 1, batchSize: batch, learningRate: 3e-5, warmupRatio: 0, weightDecay: 0.01, maxGradNorm: 1,
      seed: 1, maxSeqLength: 384, docStride: 128, maxQueryLength: 64, version2WithNegative: false, backend,
    },
    {
      jobId: shapeKey, signal: new AbortController().signal,
      emit: (e) => {
        if (e.type === 'started') started = e;
        if (e.type === 'eval' && e.step === 0) last = performance.now();
        if (e.type === 'step') {
          stepSeconds.push((performance.now() - last) / 1000);
          last = performance.now();
        }
        if (e.type === 'log' && e.message.includes('micro-batches')) process.stderr.write(`${e.message}\n`);
      },
    },
  );
  const timed = stepSeconds.slice(1); // the first step pays for kernel and memory set-up
  const seconds = timed.reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({
    engine: backend === 'onnx' ? `onnxruntime ${started?.backend.provider}` : `tensorflow.js ${started?.backend.name}`,
    threads: started?.backend.threads, model: shape.name, seq: 384, batch, micro_batch: started?.microBatchSize,
    step_seconds: timed.map((s) => +s.toFixed(3)), windows_per_s: +((timed.length * batch) / seconds).toFixed(3),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}
if (require.main === module) main();

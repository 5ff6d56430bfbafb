/**
 * npm run bench:ask — how long a question takes, wall clock, with a MiniLM-L6-shaped model (random
 * weights from a seed) about a 3,000-word file (COVID-QA papers' text):
 *  - `spantune ask` as a user runs it, process start and model load included: the first run after
 *    the model changed (it builds and keeps the ONNX graph), then runs that find the graph kept;
 *  - the extension's way: questions to a running engine process (the QA panel's first and next ones).
 * Usage: node --import tsx bench/ask.ts [RUNS=5]   (builds dist/ first, so that it never times a stale build)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { EngineClient } from '../src/engine/process/client';
import type { PredictSettings } from '../src/engine/process/protocol';
import { QA_DEFAULTS } from '../src/engine/qa/defaults';
import { SHAPES, writeRandomBert } from './random-model';
import { scratchFolder } from './scratch';

const root = path.resolve(__dirname, '..');
const QUESTION = 'What is the incubation period of the virus?';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (seconds: number) => +seconds.toFixed(2);

/** About `words` words of COVID-QA's papers, as one text file. */
function writeDocument(words: number): { file: string; text: string } {
  const data = JSON.parse(readFileSync(path.resolve(root, '../shared/data/covid-qa/covidQA.json'), 'utf8')) as { data: { paragraphs: { context: string }[] }[] };
  const all = data.data.flatMap((a) => a.paragraphs.map((p) => p.context)).join('\n\n').split(/(\s+)/);
  let count = 0;
  let end = 0;
  while (end < all.length && count < words) if (/\S/.test(all[end++]!)) count++;
  const text = all.slice(0, end).join('');
  const file = path.join(scratchFolder('ask'), 'paper.txt');
  writeFileSync(file, text);
  return { file, text };
}

function timeCli(modelDir: string, file: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'ask', '--model', modelDir, '--context-file', file, '--question', QUESTION], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`spantune ask failed: ${result.stderr}`);
  return seconds;
}

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'ignore' });
  const modelDir = await writeRandomBert(SHAPES['minilm-l6']!, 7);
  const { file, text } = writeDocument(3000);
  const loadBefore = loadavg()[0]!;

  rmSync(path.join(modelDir, 'onnx'), { recursive: true, force: true });
  const first = timeCli(modelDir, file);
  const cached = Array.from({ length: runs }, () => timeCli(modelDir, file));

  const settings: PredictSettings = {
    modelDir, examples: [{ id: 'q', question: QUESTION, context: text, answers: [], isImpossible: false }],
    maxSeqLength: 384, docStride: 128, maxQueryLength: 64, nBestSize: 5, maxAnswerLength: 30, batchSize: QA_DEFAULTS.batchSize, version2WithNegative: true, nullScoreDiffThreshold: 0,
  };
  const engine = new EngineClient({ enginePath: path.join(root, 'dist/engine-process.mjs') });
  const questions: number[] = [];
  let windows = 0;
  let backend = '';
  try {
    for (let i = 0; i < runs + 1; i++) {
      const started = performance.now();
      const out = (await engine.predict(settings)) as { windows: number; backend: string };
      questions.push((performance.now() - started) / 1000);
      windows = out.windows;
      backend = out.backend;
    }
  } finally {
    engine.dispose();
  }
  console.log(JSON.stringify({
    benchmark: 'ask', model: 'MiniLM-L6 (L6 H384)', document_words: 3000, document_chars: text.length, windows, engine: backend,
    machine: { load_average_before: +loadBefore.toFixed(2), load_average_after: +loadavg()[0]!.toFixed(2) },
    cli_ask_seconds: { first_run_builds_graph: round(first), cached_runs_median: round(median(cached)), cached_runs: cached.map(round) },
    engine_process_seconds: { first_question_incl_process_start: round(questions[0]!), next_questions_median: round(median(questions.slice(1))), next_questions: questions.slice(1).map(round) },
  }, null, 2));
}
main();

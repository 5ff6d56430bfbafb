// Benchmark of rule-based QA generation (issue 12), as `spantune generate` runs it (default generators,
// default passages and caps): on the first 120 paragraphs of XQuAD-en and on COVID-QA, one Markdown
// file per paragraph (per paper for COVID-QA), it reports pairs per paragraph, the share of exact answer
// spans, the recall of the human gold answers (a gold answer is covered when a generated answer of its
// paragraph has token F1 >= 0.5 with it) and the time; on the demo workspace, the pairs per kind of
// file; and, for each judgement file in bench/judgements/, the keep rate of its blind sample of XQuAD
// pairs judged "would a person keep this" (overall and per generator), counting only verdicts given to
// the pairs exactly as the generators make them now; a sample whose pairs changed is reported stale
// (see blind-sample.ts). How the pairs were judged is written in each file's "about".
//
// Run: npm run bench:generate [-- --paragraphs 120 --limit-covid N]
// To (re)draw a sample for the current generators (over the 120 paragraphs):
//   -- --write-sample bench/judgements/NAME.json --seed S --sample N
// (pairs exactly as judged keep their verdicts; new or changed pairs get verdict null, to be judged by reading them).
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverFiles, generateFromFiles, type PairSource, type SourceFile } from '../src/engine/generate';
import { f1V1, normalizeAnswer } from '../src/engine/squad/metrics';
import type { SquadDataset } from '../src/engine/squad/types';
import { blindSamples, writeSample, type Pair } from './blind-sample';

const { values } = parseArgs({
  options: {
    paragraphs: { type: 'string', default: '120' },
    'limit-covid': { type: 'string' },
    seed: { type: 'string', default: '12' },
    sample: { type: 'string', default: '100' },
    'write-sample': { type: 'string' },
  },
});
const root = resolve(__dirname, '..');
const shared = resolve(root, '..', 'shared');
const JUDGEMENTS = join(root, 'bench/judgements');

interface GoldAnswer {
  path: string;
  text: string;
  start: number;
}
interface CorpusFigures {
  documents: number;
  passages: number;
  pairs: number;
  pairsPerDocument: number;
  pairsPerPassage: number;
  exactSpans: number;
  goldAnswers?: number;
  recall?: number;
  recallExact?: number;
  pairsByGenerator: Partial<Record<PairSource, number>>;
  recallByGenerator?: Partial<Record<PairSource, number>>;
  seconds: number;
  cpuSeconds: number;
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Generates as `spantune generate` does and flattens the dataset into pairs with file offsets. */
async function generate(files: SourceFile[]): Promise<{ pairs: Pair[]; passages: number; seconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { dataset, stats } = await generateFromFiles(files, { now: new Date(0) });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU time says what the work costs when the machine is shared (wall time then depends on the others).
  const cpuSeconds = (used.user + used.system) / 1e6;
  const pairs: Pair[] = [];
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs) {
      const source = paragraph.source as { path: string; start: number };
      for (const qa of paragraph.qas) {
        const answer = qa.answers[0];
        if (!answer) continue;
        pairs.push({ path: source.path, context: paragraph.context, question: qa.question, answer: answer.text, start: source.start + answer.answer_start, generator: qa.generator as PairSource });
      }
    }
  }
  return { pairs, passages: stats.passages, seconds, cpuSeconds };
}

/** Figures of one corpus: counts, exact spans (checked against the file itself) and, with gold answers, recall. */
function figuresOf(files: SourceFile[], run: Awaited<ReturnType<typeof generate>>, gold: GoldAnswer[]): CorpusFigures {
  const texts = new Map(files.map((file) => [file.path, file.text]));
  const exact = run.pairs.filter((pair) => texts.get(pair.path)!.slice(pair.start, pair.start + pair.answer.length) === pair.answer).length;
  const pairsByGenerator: Partial<Record<PairSource, number>> = {};
  for (const pair of run.pairs) pairsByGenerator[pair.generator] = (pairsByGenerator[pair.generator] ?? 0) + 1;
  const figures: CorpusFigures = {
    documents: files.length,
    passages: run.passages,
    pairs: run.pairs.length,
    pairsPerDocument: round(run.pairs.length / Math.max(1, files.length)),
    pairsPerPassage: round(run.pairs.length / Math.max(1, run.passages)),
    exactSpans: round(exact / Math.max(1, run.pairs.length)),
    pairsByGenerator,
    seconds: round(run.seconds),
    cpuSeconds: round(run.cpuSeconds),
  };
  if (gold.length > 0) {
    const byPath = new Map<string, Pair[]>();
    for (const pair of run.pairs) byPath.set(pair.path, [...(byPath.get(pair.path) ?? []), pair]);
    let found = 0;
    let exactFound = 0;
    const recallByGenerator: Partial<Record<PairSource, number>> = {};
    for (const answer of gold) {
      const candidates = byPath.get(answer.path) ?? [];
      const matches = candidates.filter((pair) => f1V1(pair.answer, answer.text) >= 0.5);
      if (matches.length > 0) found++;
      if (candidates.some((pair) => normalizeAnswer(pair.answer) === normalizeAnswer(answer.text))) exactFound++;
      for (const name of new Set(matches.map((pair) => pair.generator))) recallByGenerator[name] = (recallByGenerator[name] ?? 0) + 1;
    }
    figures.goldAnswers = gold.length;
    figures.recall = round(found / gold.length);
    figures.recallExact = round(exactFound / gold.length);
    figures.recallByGenerator = Object.fromEntries(Object.entries(recallByGenerator).map(([name, count]) => [name, round(count / gold.length)]));
  }
  return figures;
}

/** SQuAD file → one Markdown document per context (the first `limit`), with its gold answers. */
function squadDocuments(path: string, folder: string, limit?: number): { files: SourceFile[]; gold: GoldAnswer[] } {
  const dataset = JSON.parse(readFileSync(path, 'utf8')) as SquadDataset;
  const files: SourceFile[] = [];
  const gold: GoldAnswer[] = [];
  dataset.data.forEach((article, a) => {
    article.paragraphs.forEach((paragraph, p) => {
      if (limit !== undefined && files.length >= limit) return;
      const name = `${folder}/${a}-${p}.md`;
      files.push({ path: name, text: paragraph.context });
      for (const qa of paragraph.qas) for (const answer of qa.answers) gold.push({ path: name, text: answer.text, start: answer.answer_start });
    });
  });
  return { files, gold };
}

/** The demo workspace: pairs per kind of file (its extension), and the files that gave none. */
async function demoFigures() {
  const folder = join(root, 'demo/workspace');
  if (!existsSync(folder)) return { missing: 'demo/workspace' };
  const { files } = await discoverFiles(['.'], { cwd: folder });
  const run = await generate(files);
  const kinds: Record<string, { files: number; pairs: number }> = {};
  for (const file of files) {
    const kind = extname(file.path) || file.path;
    const entry = (kinds[kind] ??= { files: 0, pairs: 0 });
    entry.files++;
    entry.pairs += run.pairs.filter((pair) => pair.path === file.path).length;
  }
  const withoutPairs = files.filter((file) => !run.pairs.some((pair) => pair.path === file.path)).map((file) => file.path);
  return { files: files.length, pairs: run.pairs.length, kinds, withoutPairs };
}

async function main() {
  const seed = Number(values.seed);
  const xquad = squadDocuments(join(shared, 'data/xquad-en/xquad.en.json'), 'xquad', Number(values.paragraphs));
  process.stderr.write(`XQuAD-en: ${xquad.files.length} paragraphs\n`);
  const xquadRun = await generate(xquad.files);

  const limit = values['limit-covid'] !== undefined ? Number(values['limit-covid']) : undefined;
  const covid = squadDocuments(join(shared, 'data/covid-qa/covidQA.json'), 'covid', limit);
  process.stderr.write(`COVID-QA: ${covid.files.length} papers\n`);
  const covidRun = await generate(covid.files);

  if (values['write-sample'] !== undefined) writeSample(resolve(values['write-sample']), xquadRun.pairs, seed, Number(values.sample));

  const report = {
    xquad: figuresOf(xquad.files, xquadRun, xquad.gold),
    covid: figuresOf(covid.files, covidRun, covid.gold),
    demo: await demoFigures(),
    blindSamples: blindSamples(JUDGEMENTS, xquadRun.pairs),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

// Benchmark of QA generation (issue 5): on XQuAD-en contexts and COVID-QA papers, pairs per passage,
// share of exact answer spans, recall of the human answers and time; on README files and this
// project's sources and package sources (headings, tables, doc comments); then a seeded blind sample of 50 questions per
// generator for a person to judge. Run: npm run bench:generate [-- --sample N --seed S --limit-covid N]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { glob } from 'tinyglobby';
import { pairsForPassage, passagesOf, type Passage } from '../src/engine/generate';
import type { GeneratedPair } from '../src/engine/generate/pairs';
import { Rng } from '../src/engine/train/rng';
import { GENERATOR_NAMES, type PairSource } from '../src/engine/generate/types';
import { f1V1, normalizeAnswer } from '../src/engine/squad/metrics';
import type { SquadDataset } from '../src/engine/squad/types';

const { values } = parseArgs({
  options: { sample: { type: 'string', default: '50' }, seed: { type: 'string', default: '7' }, 'limit-covid': { type: 'string' } },
});
const root = resolve(__dirname, '..');
const shared = resolve(root, '..', 'shared');
const SAMPLE = Number(values.sample);
const MAX_PER_PASSAGE = 10;

interface Generated {
  corpus: string;
  passage: Passage;
  pair: GeneratedPair;
}
interface GoldAnswer {
  path: string;
  text: string;
  start: number;
}
interface CorpusFigures {
  documents: number;
  passages: number;
  pairs: number;
  pairsPerPassage: number;
  validSpans: number;
  goldAnswers?: number;
  recall?: number;
  recallExact?: number;
  pairsByGenerator: Partial<Record<PairSource, number>>;
  recallByGenerator?: Partial<Record<PairSource, number>>;
  seconds: number;
  charsPerSecond: number;
}

const all: Generated[] = [];

/** Generates on documents (each split by the passage splitter) and measures against gold answers if any. */
function runCorpus(corpus: string, documents: { path: string; text: string }[], gold: GoldAnswer[], wholeDocumentPassages: boolean): CorpusFigures {
  const started = performance.now();
  const generated: Generated[] = [];
  let passageCount = 0;
  for (const document of documents) {
    const passages = passagesOf(document, wholeDocumentPassages ? 1_000_000 : undefined);
    passageCount += passages.length;
    for (const passage of passages) {
      for (const pair of pairsForPassage(passage, GENERATOR_NAMES, MAX_PER_PASSAGE)) generated.push({ corpus, passage, pair });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  all.push(...generated);

  // Exact span: the answer is the document text at (passage start + answer_start).
  const texts = new Map(documents.map((document) => [document.path, document.text]));
  const valid = generated.filter(({ passage, pair }) => {
    const start = passage.start + pair.answerStart;
    return texts.get(passage.path)!.slice(start, start + pair.answer.length) === pair.answer && passage.text.slice(pair.answerStart, pair.answerStart + pair.answer.length) === pair.answer;
  }).length;

  const byGenerator: Partial<Record<PairSource, number>> = {};
  for (const { pair } of generated) byGenerator[pair.generator] = (byGenerator[pair.generator] ?? 0) + 1;
  const figures: CorpusFigures = {
    documents: documents.length,
    passages: passageCount,
    pairs: generated.length,
    pairsPerPassage: round(generated.length / Math.max(1, passageCount)),
    validSpans: round(valid / Math.max(1, generated.length)),
    pairsByGenerator: byGenerator,
    seconds: round(seconds),
    charsPerSecond: Math.round(documents.reduce((sum, document) => sum + document.text.length, 0) / seconds),
  };
  if (gold.length > 0) {
    // Recall: a gold answer counts when a generated answer of the passage that holds it equals it
    // (normalised) or overlaps it with token F1 >= 0.5.
    const byPassage = new Map<Passage, Generated[]>();
    for (const item of generated) byPassage.set(item.passage, [...(byPassage.get(item.passage) ?? []), item]);
    const passagesByPath = new Map<string, Passage[]>();
    for (const item of generated) {
      const list = passagesByPath.get(item.passage.path) ?? [];
      if (!list.includes(item.passage)) list.push(item.passage);
      passagesByPath.set(item.passage.path, list);
    }
    let found = 0;
    let exact = 0;
    const recallByGenerator: Partial<Record<PairSource, number>> = {};
    for (const answer of gold) {
      const passage = passagesByPath.get(answer.path)?.find((p) => p.start <= answer.start && answer.start < p.end);
      const candidates = passage ? byPassage.get(passage) ?? [] : [];
      const matches = candidates.filter(({ pair }) => normalizeAnswer(pair.answer) === normalizeAnswer(answer.text) || f1V1(pair.answer, answer.text) >= 0.5);
      if (matches.length > 0) found++;
      if (candidates.some(({ pair }) => normalizeAnswer(pair.answer) === normalizeAnswer(answer.text))) exact++;
      for (const name of new Set(matches.map(({ pair }) => pair.generator))) recallByGenerator[name] = (recallByGenerator[name] ?? 0) + 1;
    }
    figures.goldAnswers = gold.length;
    figures.recall = round(found / gold.length);
    figures.recallExact = round(exact / gold.length);
    figures.recallByGenerator = Object.fromEntries(Object.entries(recallByGenerator).map(([name, count]) => [name, round(count / gold.length)]));
  }
  return figures;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** SQuAD file → one document per context, with its gold answers. */
function squadDocuments(path: string, limit?: number): { documents: { path: string; text: string }[]; gold: GoldAnswer[] } {
  const dataset = JSON.parse(readFileSync(path, 'utf8')) as SquadDataset;
  const documents: { path: string; text: string }[] = [];
  const gold: GoldAnswer[] = [];
  dataset.data.forEach((article, a) => {
    article.paragraphs.forEach((paragraph, p) => {
      if (limit !== undefined && documents.length >= limit) return;
      const name = `${article.title ?? 'article'}#${a}.${p}.txt`;
      documents.push({ path: name, text: paragraph.context });
      for (const qa of paragraph.qas) for (const answer of qa.answers) gold.push({ path: name, text: answer.text.trim(), start: answer.answer_start });
    });
  });
  return { documents, gold };
}

async function main() {
  const report: Record<string, CorpusFigures> = {};
  const xquad = squadDocuments(join(shared, 'data/xquad-en/xquad.en.json'));
  process.stderr.write(`XQuAD-en: ${xquad.documents.length} contexts\n`);
  report.xquad = runCorpus('xquad', xquad.documents, xquad.gold, true);

  const limit = values['limit-covid'] !== undefined ? Number(values['limit-covid']) : undefined;
  const covid = squadDocuments(join(shared, 'data/covid-qa/covidQA.json'), limit);
  process.stderr.write(`COVID-QA: ${covid.documents.length} papers\n`);
  report.covid = runCorpus('covid', covid.documents, covid.gold, false);

  // Documentation and code as found in a workspace: package READMEs and this project's sources.
  const paths = [
    ...(await glob('node_modules/*/README.md', { cwd: root })).slice(0, 60),
    ...(await glob('node_modules/*/lib/**/*.js', { cwd: root })).slice(0, 120),
    ...(await glob('src/**/*.ts', { cwd: root })),
  ];
  const workspace = paths.map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
  process.stderr.write(`workspace: ${workspace.length} files\n`);
  report.workspace = runCorpus('workspace', workspace, [], false);

  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);

  // Blind sample: shuffled with a fixed seed, no confidence shown.
  const rng = new Rng(Number(values.seed));
  for (const name of GENERATOR_NAMES) {
    const pool = all.filter(({ pair }) => pair.generator === name);
    const sample = rng.shuffle([...pool]).slice(0, SAMPLE);
    process.stdout.write(`\n=== ${name}: ${sample.length} of ${pool.length} ===\n`);
    sample.forEach(({ corpus, passage, pair }, index) => {
      const from = Math.max(0, pair.answerStart - 90);
      const to = Math.min(passage.text.length, pair.answerStart + pair.answer.length + 60);
      const window = passage.text.slice(from, pair.answerStart) + '[[' + pair.answer + ']]' + passage.text.slice(pair.answerStart + pair.answer.length, to);
      process.stdout.write(`${index + 1}. (${corpus}) Q: ${pair.question}\n   A: ${pair.answer}\n   …${window.replace(/\s+/g, ' ')}…\n`);
    });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

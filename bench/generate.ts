// Benchmark of rule-based QA generation (issue 12), as `spantune generate` runs it (default generators,
// default passages and caps): on the first 120 paragraphs of XQuAD-en and on COVID-QA, one Markdown
// file per paragraph (per paper for COVID-QA), it reports pairs per paragraph, the share of exact answer
// spans, the recall of the human gold answers (a gold answer is covered when a generated answer of its
// paragraph has token F1 >= 0.5 with it) and the time; on the demo workspace, the pairs per kind of
// file; and, for each judgement file in bench/judgements/, the keep rate of its blind sample of XQuAD
// pairs judged "would a person keep this" (overall and per generator). How the pairs were judged is
// written in each file's "about".
//
// Run: npm run bench:generate [-- --paragraphs 120 --limit-covid N]
// To (re)draw a sample for the current generators: -- --write-sample bench/judgements/NAME.json --seed S --sample N
// (verdicts of pairs still drawn are kept; new pairs get verdict null, to be judged by reading them).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { discoverFiles, generateFromFiles, type PairSource, type SourceFile } from '../src/engine/generate';
import { f1V1, normalizeAnswer } from '../src/engine/squad/metrics';
import type { SquadDataset } from '../src/engine/squad/types';

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
/** One generated pair with the file it came from and its answer's offset in that file. */
interface Pair {
  path: string;
  context: string;
  question: string;
  answer: string;
  /** Offset of the answer in the file. */
  start: number;
  generator: PairSource;
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

interface Judged {
  id: string;
  path: string;
  passage: string;
  question: string;
  answer: string;
  answerStart: number;
  verdict: 'keep' | 'drop' | null;
  note?: string;
}
interface JudgementFile {
  about: string;
  seed: number;
  size: number;
  pairs: Judged[];
}

const sampleId = (pair: Pair) => `${pair.path}@${pair.start}:${normalizeAnswer(pair.question).replace(/\s+/g, '-')}`;

/**
 * The blind sample: `size` XQuAD pairs, one per paragraph as far as they go, each generator getting its share of
 * the draw by its share of the pairs. A pair's place in the draw is the hash of the seed and the pair,
 * so that the draw is repeatable and a change to some pairs leaves the rest of the sample (and their
 * verdicts) where they were.
 */
function drawSample(pairs: Pair[], size: number, seed: number): Pair[] {
  const rank = (pair: Pair) => createHash('sha256').update(`${seed}\u0000${sampleId(pair)}`).digest('hex');
  const ranked = pairs.map((pair) => ({ pair, rank: rank(pair) })).sort((a, b) => a.rank.localeCompare(b.rank)).map(({ pair }) => pair);
  const counts = new Map<PairSource, number>();
  for (const pair of pairs) counts.set(pair.generator, (counts.get(pair.generator) ?? 0) + 1);
  const quota = new Map([...counts].map(([name, count]) => [name, Math.max(1, Math.round((size * count) / pairs.length))]));
  const usedPaths = new Set<string>();
  const sample: Pair[] = [];
  // First each generator up to its share, then any generator, then (with fewer paragraphs than pairs wanted) a second pair of a paragraph.
  const taken = new Set<Pair>();
  for (const [respectQuota, onePerParagraph] of [[true, true], [false, true], [false, false]] as const) {
    for (const pair of ranked) {
      if (sample.length >= size) break;
      if (taken.has(pair) || (onePerParagraph && usedPaths.has(pair.path)) || (respectQuota && quota.get(pair.generator)! <= 0)) continue;
      taken.add(pair);
      usedPaths.add(pair.path);
      quota.set(pair.generator, quota.get(pair.generator)! - 1);
      sample.push(pair);
    }
  }
  return sample;
}

/** Joins the sample with the recorded verdicts: the keep rate, overall and per generator. */
function judgementFigures(sample: Pair[], file: JudgementFile | undefined) {
  const verdicts = new Map((file?.pairs ?? []).map((pair) => [pair.id, pair.verdict]));
  const perGenerator: Record<string, { judged: number; kept: number }> = {};
  let judged = 0;
  let kept = 0;
  for (const pair of sample) {
    const verdict = verdicts.get(sampleId(pair));
    if (verdict === undefined || verdict === null) continue;
    judged++;
    const entry = (perGenerator[pair.generator] ??= { judged: 0, kept: 0 });
    entry.judged++;
    if (verdict === 'keep') {
      kept++;
      entry.kept++;
    }
  }
  return {
    sample: sample.length,
    judged,
    notJudged: sample.length - judged,
    kept,
    keepRate: judged > 0 ? round(kept / judged) : null,
    byGenerator: Object.fromEntries(Object.entries(perGenerator).map(([name, entry]) => [name, { ...entry, keepRate: round(entry.kept / entry.judged) }])),
  };
}

const ABOUT =
  'Blind sample of generated XQuAD pairs, drawn by npm run bench:generate (seeded hash order, one pair per paragraph as far as they go, generators in proportion to their pairs). Each pair was read with its passage, without its generator or confidence, and judged "keep" when the question is a fluent, complete question that the passage answers without ambiguity and the given span is that answer (one item of a list counts when the question asks for one); otherwise "drop".';

function writeSample(path: string, sample: Pair[], previous: JudgementFile | undefined, seed: number, size: number): void {
  const old = new Map((previous?.pairs ?? []).map((pair) => [pair.id, pair]));
  const pairs: Judged[] = sample.map((pair) => {
    const id = sampleId(pair);
    const before = old.get(id);
    return { id, path: pair.path, passage: pair.context, question: pair.question, answer: pair.answer, answerStart: pair.start, verdict: before?.verdict ?? null, ...(before?.note ? { note: before.note } : {}) };
  });
  writeFileSync(path, `${JSON.stringify({ about: previous?.about ?? ABOUT, seed, size, pairs } satisfies JudgementFile, null, 2)}\n`);
}

/** Each judgement file's sample drawn again from the current pairs, joined with its verdicts. */
function blindSamples(pairs: Pair[]) {
  const reports: Record<string, ReturnType<typeof judgementFigures> & { seed: number }> = {};
  for (const name of existsSync(JUDGEMENTS) ? readdirSync(JUDGEMENTS).filter((file) => file.endsWith('.json')).sort() : []) {
    const file = JSON.parse(readFileSync(join(JUDGEMENTS, name), 'utf8')) as JudgementFile;
    reports[name] = { seed: file.seed, ...judgementFigures(drawSample(pairs, file.size, file.seed), file) };
  }
  return reports;
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

  if (values['write-sample'] !== undefined) {
    const path = resolve(values['write-sample']);
    const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as JudgementFile) : undefined;
    const size = Number(values.sample);
    writeSample(path, drawSample(xquadRun.pairs, size, seed), previous, seed, size);
  }

  const report = {
    xquad: figuresOf(xquad.files, xquadRun, xquad.gold),
    covid: figuresOf(covid.files, covidRun, covid.gold),
    demo: await demoFigures(),
    blindSamples: blindSamples(xquadRun.pairs),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});

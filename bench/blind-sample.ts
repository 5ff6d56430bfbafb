// Blind samples of generated pairs and their recorded verdicts ("would a person keep this"), for
// bench:generate. A judgement file in bench/judgements/ holds a sample drawn from the pairs of its day,
// each with its passage, question, answer and verdict. The bench draws the sample again from the pairs
// the generators make now and counts only verdicts given to exactly these pairs: when the generators
// have changed a pair since it was judged, or a new pair entered the draw, the sample is stale and the
// bench says so (and how to redraw it); its keep rate then covers only the pairs still as judged.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PairSource } from '../src/engine/generate';
import { normalizeAnswer } from '../src/engine/squad/metrics';

/** One generated pair with the file it came from and its answer's offset in that file. */
export interface Pair {
  path: string;
  context: string;
  question: string;
  answer: string;
  /** Offset of the answer in the file. */
  start: number;
  generator: PairSource;
}

export interface Judged {
  id: string;
  path: string;
  passage: string;
  question: string;
  answer: string;
  answerStart: number;
  verdict: 'keep' | 'drop' | null;
  note?: string;
}

export interface JudgementFile {
  about: string;
  seed: number;
  size: number;
  pairs: Judged[];
}

/** Where a pair stands in the draw: its file, answer offset and question (not its generator or confidence). */
export const sampleId = (pair: Pair) => `${pair.path}@${pair.start}:${normalizeAnswer(pair.question).replace(/\s+/g, '-')}`;

/** A verdict counts for a pair only when it was given to the same question and the same answer span. */
const sameAsJudged = (pair: Pair, judged: Judged) => judged.question === pair.question && judged.answer === pair.answer && judged.answerStart === pair.start;

/**
 * The blind sample: `size` pairs, one per paragraph as far as they go, each generator getting its share
 * of the draw by its share of the pairs. A pair's place in the draw is the hash of the seed and the
 * pair, so that the draw is repeatable and a change to some pairs leaves the rest of the sample (and
 * their verdicts) where they were.
 */
export function drawSample(pairs: Pair[], size: number, seed: number): Pair[] {
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

const round = (value: number) => Math.round(value * 1000) / 1000;

/**
 * The keep rate of a sample drawn from the current pairs, overall and per generator, over the pairs
 * whose verdict was given to them as they are now; and whether the file is stale: drawn pairs without
 * a verdict (new, or changed since they were judged) and judged pairs no longer drawn.
 */
export function judgeSample(sample: Pair[], file: JudgementFile, name: string) {
  const recorded = new Map(file.pairs.map((pair) => [pair.id, pair]));
  const drawnIds = new Set(sample.map(sampleId));
  const perGenerator: Record<string, { judged: number; kept: number }> = {};
  let judged = 0;
  let kept = 0;
  let changed = 0;
  let unjudged = 0;
  for (const pair of sample) {
    const record = recorded.get(sampleId(pair));
    if (record && !sameAsJudged(pair, record)) {
      changed++;
      continue;
    }
    if (!record || record.verdict === null) {
      unjudged++;
      continue;
    }
    judged++;
    const entry = (perGenerator[pair.generator] ??= { judged: 0, kept: 0 });
    entry.judged++;
    if (record.verdict === 'keep') {
      kept++;
      entry.kept++;
    }
  }
  const noLongerDrawn = file.pairs.filter((pair) => !drawnIds.has(pair.id)).length;
  const stale = changed + unjudged + noLongerDrawn > 0;
  return {
    seed: file.seed,
    drawn: sample.length,
    judged,
    kept,
    keepRate: judged > 0 ? round(kept / judged) : null,
    byGenerator: Object.fromEntries(Object.entries(perGenerator).map(([generator, entry]) => [generator, { ...entry, keepRate: round(entry.kept / entry.judged) }])),
    stale,
    ...(stale
      ? {
          staleness: {
            changedSinceJudged: changed,
            notJudged: unjudged,
            judgedButNoLongerDrawn: noLongerDrawn,
            note: `the generators no longer make the pairs this sample judged; redraw with --write-sample bench/judgements/${name} --seed ${file.seed} --sample ${file.size} and judge the pairs whose verdict is null`,
          },
        }
      : {}),
  };
}

export type SampleReport = ReturnType<typeof judgeSample>;

/** Every judgement file in `folder`, its sample drawn again from `pairs` and joined with its verdicts. */
export function blindSamples(folder: string, pairs: Pair[]): Record<string, SampleReport> {
  const reports: Record<string, SampleReport> = {};
  for (const name of existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.json')).sort() : []) {
    const file = JSON.parse(readFileSync(join(folder, name), 'utf8')) as JudgementFile;
    reports[name] = judgeSample(drawSample(pairs, file.size, file.seed), file, name);
  }
  return reports;
}

const ABOUT =
  'Blind sample of generated XQuAD pairs, drawn by npm run bench:generate (seeded hash order, one pair per paragraph as far as they go, generators in proportion to their pairs). Each pair was read with its passage, without its generator or confidence, and judged "keep" when the question is a fluent, complete question that the passage answers without ambiguity and the given span is that answer (one item of a list counts when the question asks for one); otherwise "drop".';

/**
 * Writes a sample drawn from the current pairs to `path`: a pair that is exactly as it was judged in the
 * file before keeps its verdict and note; a new or changed pair gets verdict null, to be judged by reading it.
 */
export function writeSample(path: string, pairs: Pair[], seed: number, size: number): void {
  const previous = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as JudgementFile) : undefined;
  const old = new Map((previous?.pairs ?? []).map((pair) => [pair.id, pair]));
  const judged: Judged[] = drawSample(pairs, size, seed).map((pair) => {
    const id = sampleId(pair);
    const before = old.get(id);
    const still = before !== undefined && sameAsJudged(pair, before);
    return {
      id,
      path: pair.path,
      passage: pair.context,
      question: pair.question,
      answer: pair.answer,
      answerStart: pair.start,
      verdict: still ? before.verdict : null,
      ...(still && before.note ? { note: before.note } : {}),
    };
  });
  writeFileSync(path, `${JSON.stringify({ about: previous?.about ?? ABOUT, seed, size, pairs: judged } satisfies JudgementFile, null, 2)}\n`);
}

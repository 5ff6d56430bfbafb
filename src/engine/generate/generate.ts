import { createHash } from 'node:crypto';
import { UserError } from '../errors';
import type { SquadArticle, SquadDataset, SquadParagraph, SquadQuestion } from '../squad/types';
import { parseDocument } from './formats';
import { PassageContext } from './generators/context';
import { generators } from './generators';
import { makeNegatives } from './negatives';
import { assertExactSpan, checkCandidates, selectPairs, type GeneratedPair } from './pairs';
import { buildPassages, type Passage } from './passages';
import { Rng } from '../train/rng';
import {
  DEFAULT_GENERATORS,
  GENERATOR_NAMES,
  type GenerateOptions,
  type GenerationResult,
  type GenerationStats,
  type GeneratorName,
  type PairSource,
  type ProgressCallback,
  type SkippedFile,
  type SourceFile,
} from './types';

export const DEFAULT_MAX_PER_PASSAGE = 10;
export const DEFAULT_MAX_PASSAGE_CHARS = 1500;

interface ResolvedOptions {
  generators: readonly GeneratorName[];
  maxPerPassage: number;
  negatives: number;
  maxPassageChars: number;
  seed: number;
  created: string;
}

/** Checks the options (a UserError names the bad one) and fills in the defaults. */
export function resolveOptions(options: GenerateOptions): ResolvedOptions {
  const names = options.generators ?? DEFAULT_GENERATORS;
  for (const name of names) {
    if (!(GENERATOR_NAMES as readonly string[]).includes(name)) {
      throw new UserError(`unknown generator '${name}'; the generators are ${GENERATOR_NAMES.join(', ')}`);
    }
  }
  if (names.length === 0) throw new UserError(`no generator chosen; the generators are ${GENERATOR_NAMES.join(', ')}`);
  const maxPerPassage = options.maxPerPassage ?? DEFAULT_MAX_PER_PASSAGE;
  if (!Number.isInteger(maxPerPassage) || maxPerPassage < 1) throw new UserError(`max pairs per passage must be a whole number of at least 1, got ${maxPerPassage}`);
  const negatives = options.negatives ?? 0;
  if (!Number.isFinite(negatives) || negatives < 0 || negatives > 1) throw new UserError(`the share of negatives must be between 0 and 1, got ${negatives}`);
  const maxPassageChars = options.maxPassageChars ?? DEFAULT_MAX_PASSAGE_CHARS;
  if (!Number.isInteger(maxPassageChars) || maxPassageChars < 200) throw new UserError(`the passage size must be a whole number of at least 200 characters, got ${maxPassageChars}`);
  return { generators: names, maxPerPassage, negatives, maxPassageChars, seed: options.seed ?? 1, created: (options.now ?? new Date()).toISOString() };
}

/** Splits one document into passages (none for an unknown format or a file without prose). */
export function passagesOf(file: SourceFile, maxPassageChars = DEFAULT_MAX_PASSAGE_CHARS): Passage[] {
  const document = parseDocument(file.path, file.text);
  return document ? buildPassages(file.path, file.text, document, maxPassageChars) : [];
}

/** Runs the chosen generators on one passage and keeps the checked, deduplicated, most confident pairs. */
export function pairsForPassage(passage: Passage, names: readonly GeneratorName[], maxPerPassage: number): GeneratedPair[] {
  const context = new PassageContext(passage);
  const pairs = names.flatMap((name) => checkCandidates(passage, name, generators[name].generate(context)));
  return selectPairs(pairs, maxPerPassage);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function pairId(passage: Passage, question: string, kind: string): string {
  return `gen-${kind}${sha256(`${passage.path}\u0000${passage.start}\u0000${question}`).slice(0, 16)}`;
}

/** Lets the event loop run (progress, cancel) between documents. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A step between generation and assembly that adds, checks or drops pairs of every passage (a
 * language model's pairs, the round-trip filter). It gets the pairs by passage and returns the new
 * lists, one per passage; negatives are made from what the last stage kept.
 */
export type PairStage = (passages: readonly Passage[], pairsByPassage: GeneratedPair[][], signal?: AbortSignal) => Promise<GeneratedPair[][]>;

/**
 * Turns documents into a SQuAD dataset of generated, unreviewed pairs: one article per file, one
 * paragraph per passage that got pairs, each paragraph with its `source` range in the file. Shared
 * by `spantune generate` and the extension's "Generate QA Pairs from Workspace".
 * `progress` is called after each file; `signal` cancels between files (the promise rejects with its
 * reason); `stages` run in order on the rule-based pairs before the dataset is assembled.
 */
export async function generateFromFiles(
  files: readonly SourceFile[],
  options: GenerateOptions = {},
  progress?: ProgressCallback,
  signal?: AbortSignal,
  stages: readonly PairStage[] = [],
): Promise<GenerationResult> {
  const resolved = resolveOptions(options);
  const passages: Passage[] = [];
  let pairsByPassage: GeneratedPair[][] = [];
  const filesWithoutPassages: SkippedFile[] = [];
  for (const [index, file] of files.entries()) {
    signal?.throwIfAborted();
    const own = passagesOf(file, resolved.maxPassageChars);
    if (own.length === 0) filesWithoutPassages.push({ path: file.path, reason: parseDocument(file.path, '') ? 'no prose found' : 'not a document format that is read' });
    for (const passage of own) {
      passages.push(passage);
      pairsByPassage.push(pairsForPassage(passage, resolved.generators, resolved.maxPerPassage));
    }
    progress?.(index + 1, files.length);
    await breathe();
  }
  for (const stage of stages) {
    signal?.throwIfAborted();
    pairsByPassage = await stage(passages, pairsByPassage, signal);
  }
  signal?.throwIfAborted();

  const positives = pairsByPassage.reduce((sum, pairs) => sum + pairs.length, 0);
  const wanted = Math.round(positives * resolved.negatives);
  const negatives = makeNegatives(passages, pairsByPassage, wanted, new Rng(resolved.seed));
  const questions: SquadQuestion[][] = pairsByPassage.map((pairs, index) =>
    pairs.map((pair) => answerable(passages[index]!, pair, resolved.created)),
  );
  for (const negative of negatives) {
    const target = passages[negative.to]!;
    questions[negative.to]!.push({
      id: pairId(target, negative.pair.question, 'neg-'),
      question: negative.pair.question,
      answers: [],
      is_impossible: true,
      origin: 'generated',
      generator: negative.pair.generator,
      confidence: round(negative.pair.confidence),
      reviewed: false,
      created: resolved.created,
      negativeOf: pairId(passages[negative.from]!, negative.pair.question, ''),
    });
  }

  const articles = new Map<string, SquadArticle>();
  const pairsByGenerator: Partial<Record<PairSource, number>> = {};
  let passagesWithPairs = 0;
  passages.forEach((passage, index) => {
    const qas = questions[index]!;
    for (const pair of pairsByPassage[index]!) pairsByGenerator[pair.generator] = (pairsByGenerator[pair.generator] ?? 0) + 1;
    if (qas.length === 0) return;
    passagesWithPairs++;
    const paragraph: SquadParagraph = {
      context: passage.text,
      qas,
      source: { path: passage.path, start: passage.start, end: passage.end, sha256: sha256(passage.text) },
    };
    const article = articles.get(passage.path) ?? { title: passage.path, paragraphs: [] };
    article.paragraphs.push(paragraph);
    articles.set(passage.path, article);
  });
  const dataset: SquadDataset = { version: negatives.length > 0 ? 'v2.0' : '1.1', data: [...articles.values()] };
  const stats: GenerationStats = {
    files: files.length,
    filesWithoutPassages,
    passages: passages.length,
    passagesWithPairs,
    pairs: positives,
    pairsByGenerator,
    negatives: negatives.length,
    negativesShort: wanted - negatives.length,
  };
  return { dataset, stats };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function answerable(passage: Passage, pair: GeneratedPair, created: string): SquadQuestion {
  assertExactSpan(passage.text, pair.answer, pair.answerStart);
  return {
    id: pairId(passage, pair.question, ''),
    question: pair.question,
    answers: [{ text: pair.answer, answer_start: pair.answerStart }],
    is_impossible: false,
    origin: 'generated',
    generator: pair.generator,
    confidence: round(pair.confidence),
    reviewed: false,
    created,
    ...(pair.roundTrip ? { roundTrip: pair.roundTrip } : {}),
  };
}

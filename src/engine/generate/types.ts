import type { SquadDataset } from '../squad/types';

/** A document handed to the generator; `path` is workspace-relative and names the source in the output. */
export interface SourceFile {
  path: string;
  text: string;
}

/** A file that discovery did not read, and why (shown to the user as is). */
export interface SkippedFile {
  path: string;
  reason: string;
}

export type DocumentFormat = 'markdown' | 'text' | 'rst' | 'asciidoc' | 'html' | 'code';

/** The language of a source file whose comments and docstrings are read. */
export type CodeLanguage = 'js' | 'python' | 'java' | 'go' | 'rust' | 'c' | 'csharp';

export const GENERATOR_NAMES = ['definition', 'heading', 'keyvalue', 'table', 'entity', 'phrase', 'codedoc', 'cloze'] as const;
export type GeneratorName = (typeof GENERATOR_NAMES)[number];
/** What made a pair: one of the rule-based generators, or a language model the user allowed. */
export type PairSource = GeneratorName | 'llm';
/** Every generator except `cloze`, whose "questions" are sentences with a blank. */
export const DEFAULT_GENERATORS: readonly GeneratorName[] = GENERATOR_NAMES.filter((name) => name !== 'cloze');

export interface GenerateOptions {
  /** Generators to run (default: DEFAULT_GENERATORS). */
  generators?: readonly GeneratorName[];
  /** Most pairs kept per passage, the most confident first (default 10). */
  maxPerPassage?: number;
  /** Unanswerable pairs to add, as a fraction of the answerable pairs (default 0; SQuAD v2.0 when > 0). */
  negatives?: number;
  /** Longest passage in characters (default 1500, about a 384-token window). */
  maxPassageChars?: number;
  /** Seed of the random choices (negatives), so that a run can be repeated (default 1). */
  seed?: number;
  /** Time stamp written on every pair (default: now). */
  now?: Date;
}

/** Where a paragraph came from: `text.slice(start, end)` of the file at `path` is exactly its context. */
export interface PassageSource {
  path: string;
  start: number;
  end: number;
  /** sha256 (hex) of the context, to notice when the file has changed since. */
  sha256: string;
}

export interface GenerationStats {
  files: number;
  /** Files that produced no passage (no prose, unknown format). */
  filesWithoutPassages: SkippedFile[];
  passages: number;
  passagesWithPairs: number;
  pairs: number;
  pairsByGenerator: Partial<Record<PairSource, number>>;
  negatives: number;
  /** Negatives asked for by `negatives` that could not be made (no other passage without the answer). */
  negativesShort: number;
}

export interface GenerationResult {
  dataset: SquadDataset;
  stats: GenerationStats;
}

/** `stage` names what is counted when it is not files (a language model's passages, the round trip's windows). */
export type ProgressCallback = (done: number, total: number, stage?: string) => void;

/** The round-trip check of one pair: what the QA model answered to its question, and the token F1 with the pair's answer. */
export interface RoundTripResult {
  model: string;
  answer: string;
  f1: number;
  passed: boolean;
}

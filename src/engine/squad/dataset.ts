import { UserError } from '../errors';
import { parseJsonText } from './json-text';
import { readUserTextFile, type ReadTextOptions } from './text-file';
import { writeFileAtomic } from '../fs/atomic';
import type { QaExample, SquadAnswer, SquadArticle, SquadDataset, SquadParagraph, SquadQuestion } from './types';

/**
 * What the file is read for; it decides which answers are required.
 * - 'train': every answerable question needs at least one answer whose text sits at its answer_start
 *   in the context; a question without answers is allowed only in a SQuAD v2.0 file.
 * - 'evaluate': answers need a text and an answer_start; a question without answers is unanswerable.
 * - 'predict': answers are optional (only ids, questions and contexts are needed).
 */
export type SquadPurpose = 'train' | 'evaluate' | 'predict';

export interface SquadReadOptions extends ReadTextOptions {
  /** Default 'train'. */
  purpose?: SquadPurpose;
  /**
   * Check that each answer's text equals context.slice(answer_start, answer_start + text.length).
   * Default: true for 'train' and 'evaluate', false for 'predict'. The official metrics read only the
   * answer texts, so `spantune evaluate` turns it off.
   */
  checkAnswerSpans?: boolean;
  /**
   * Repair answers whose text carries surrounding whitespace that the answer_start skips (COVID-QA has
   * 234 such answers: " HCoV-OC43" with answer_start at the "H"): the text is trimmed. Default true.
   */
  repairWhitespace?: boolean;
}

/** One problem found in a file, located by its JSON path (`data[3].paragraphs[1].qas[0].answers[0]`). */
export interface SquadProblem {
  where: string;
  message: string;
}

/** The outcome of reading a file while collecting problems instead of stopping at the first. */
export interface SquadCheckReport {
  /** The file's content without the questions that had problems (answers with problems are dropped too). */
  dataset: SquadDataset;
  /** The file marks itself SQuAD v2.0 (version "v2.0" or any `is_impossible` field). */
  isV2: boolean;
  questionCount: number;
  keptQuestionCount: number;
  skippedQuestionCount: number;
  problems: SquadProblem[];
  /** Counts of silent fixes: numeric ids turned to strings, answers trimmed of whitespace. */
  repairs: { numericIds: number; trimmedAnswers: number };
}

/** Raised inside the checker in throwing mode; turned into a UserError naming the file. */
class FirstProblem extends Error {
  constructor(readonly problem: SquadProblem) {
    super(problem.message);
  }
}

const MAX_QUOTE = 60;

function quote(text: string): string {
  const shown = text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}…` : text;
  return JSON.stringify(shown);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** SQuAD v2.0 markers: version "v2.0" (or "2.0"), or an `is_impossible` field on any question. */
export function hasV2Markers(raw: unknown): boolean {
  if (!isRecord(raw)) return false;
  if (raw.version === 'v2.0' || raw.version === '2.0') return true;
  if (!Array.isArray(raw.data)) return false;
  for (const article of raw.data) {
    if (!isRecord(article) || !Array.isArray(article.paragraphs)) continue;
    for (const paragraph of article.paragraphs) {
      if (!isRecord(paragraph) || !Array.isArray(paragraph.qas)) continue;
      for (const question of paragraph.qas) {
        if (isRecord(question) && 'is_impossible' in question) return true;
      }
    }
  }
  return false;
}

/** True when some question has no answers (an unanswerable question, as the official v2.0 script sees it). */
export function hasUnanswerableQuestions(dataset: SquadDataset): boolean {
  return dataset.data.some((article) => article.paragraphs.some((p) => p.qas.some((q) => q.answers.length === 0)));
}

/** The version the official evaluation applies to this data: v2.0 when it has v2 markers or unanswerable questions. */
export function evaluationVersion(dataset: SquadDataset): '1.1' | '2.0' {
  return hasV2Markers(dataset) || hasUnanswerableQuestions(dataset) ? '2.0' : '1.1';
}

interface Checker {
  purpose: SquadPurpose;
  checkSpans: boolean;
  repairWhitespace: boolean;
  collect: boolean;
  isV2: boolean;
  problems: SquadProblem[];
  repairs: { numericIds: number; trimmedAnswers: number };
  /** id → where it was first seen. */
  seenIds: Map<string, string>;
  questionCount: number;
  skippedQuestionCount: number;
}

function report(checker: Checker, where: string, message: string): void {
  const problem = { where, message };
  if (!checker.collect) throw new FirstProblem(problem);
  checker.problems.push(problem);
}

/** Checks one answer; returns the answer to keep (possibly repaired) or null to drop it. */
function checkAnswer(checker: Checker, raw: unknown, where: string, context: string): SquadAnswer | null {
  if (!isRecord(raw)) {
    report(checker, where, `an answer must be an object with "text" and "answer_start", got ${typeName(raw)}`);
    return null;
  }
  if (typeof raw.text !== 'string') {
    report(checker, where, `"text" must be a string, got ${typeName(raw.text)}`);
    return null;
  }
  const start = raw.answer_start;
  if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
    report(checker, where, `"answer_start" must be a whole number ≥ 0, got ${JSON.stringify(start) ?? 'nothing'}`);
    return null;
  }
  const answer = raw as SquadAnswer;
  if (!checker.checkSpans) return answer;
  if (answer.text.trim() === '') {
    report(checker, where, 'the answer text is empty');
    return null;
  }
  if (start >= context.length) {
    report(checker, where, `answer_start ${start} is past the end of the context (${context.length} characters)`);
    return null;
  }
  const found = context.slice(start, start + answer.text.length);
  if (found === answer.text) return answer;
  if (checker.repairWhitespace) {
    const trimmed = answer.text.trim();
    if (trimmed !== answer.text && context.startsWith(trimmed, start)) {
      checker.repairs.trimmedAnswers++;
      return { ...answer, text: trimmed };
    }
  }
  report(checker, where, `answer_start ${start} points at ${quote(found)}, but the answer text is ${quote(answer.text)}`);
  return null;
}

/** Checks one question; returns it (possibly repaired) or null to skip it. */
function checkQuestion(checker: Checker, raw: unknown, where: string, context: string): SquadQuestion | null {
  if (!isRecord(raw)) {
    report(checker, where, `a question must be an object, got ${typeName(raw)}`);
    return null;
  }
  let id = raw.id;
  if (typeof id === 'number' && Number.isFinite(id)) {
    id = String(id);
    checker.repairs.numericIds++;
  }
  if (typeof id !== 'string' || id === '') {
    report(checker, where, id === undefined || id === '' ? 'the question has no "id"' : `"id" must be a string, got ${typeName(id)}`);
    return null;
  }
  const here = `${where} (id ${quote(id)})`;
  const firstSeen = checker.seenIds.get(id);
  if (firstSeen !== undefined) {
    report(checker, here, `the id is already used by ${firstSeen}`);
    return null;
  }
  checker.seenIds.set(id, where);
  if (typeof raw.question !== 'string') {
    report(checker, here, `"question" must be a string, got ${typeName(raw.question)}`);
    return null;
  }
  if (raw.question.trim() === '') {
    report(checker, here, 'the question text is empty');
    return null;
  }
  if ('is_impossible' in raw && typeof raw.is_impossible !== 'boolean') {
    report(checker, here, `"is_impossible" must be true or false, got ${JSON.stringify(raw.is_impossible)}`);
    return null;
  }
  let rawAnswers = raw.answers;
  if (rawAnswers === undefined && checker.purpose === 'predict') rawAnswers = [];
  if (!Array.isArray(rawAnswers)) {
    report(checker, here, rawAnswers === undefined ? 'the question has no "answers" list' : `"answers" must be a list, got ${typeName(rawAnswers)}`);
    return null;
  }
  const impossible = raw.is_impossible === true;
  if (impossible && rawAnswers.length > 0 && checker.purpose !== 'predict') {
    report(checker, here, `"is_impossible" is true, but the question lists ${rawAnswers.length} answer(s) (SQuAD v2.0 keeps those in "plausible_answers")`);
    return null;
  }
  const answers: SquadAnswer[] = [];
  rawAnswers.forEach((answer, k) => {
    const kept = checkAnswer(checker, answer, `${where}.answers[${k}]`, context);
    if (kept) answers.push(kept);
  });
  if (checker.purpose === 'train' && !impossible) {
    if (rawAnswers.length === 0) {
      if (!checker.isV2) {
        report(checker, here, 'the question has no answers; in a SQuAD v1.1 training file every question needs one (mark unanswerable questions "is_impossible": true, as SQuAD v2.0 does)');
        return null;
      }
      if (raw.is_impossible === false) {
        report(checker, here, '"is_impossible" is false, but the question has no answers');
        return null;
      }
    }
  }
  // Every bad answer was reported above; a question left without any is not usable (nor unanswerable).
  if (rawAnswers.length > 0 && answers.length === 0) return null;
  return { ...raw, id, answers } as SquadQuestion;
}

function checkParagraph(checker: Checker, raw: unknown, where: string): SquadParagraph | null {
  if (!isRecord(raw)) {
    report(checker, where, `a paragraph must be an object with "context" and "qas", got ${typeName(raw)}`);
    return null;
  }
  const skipAll = () => {
    const questions = Array.isArray(raw.qas) ? raw.qas.length : 0;
    checker.questionCount += questions;
    checker.skippedQuestionCount += questions;
    return null;
  };
  if (typeof raw.context !== 'string') {
    report(checker, where, raw.context === undefined ? 'the paragraph has no "context"' : `"context" must be a string, got ${typeName(raw.context)}`);
    return skipAll();
  }
  if (!Array.isArray(raw.qas)) {
    report(checker, where, raw.qas === undefined ? 'the paragraph has no "qas" list' : `"qas" must be a list, got ${typeName(raw.qas)}`);
    return null;
  }
  if (raw.context.trim() === '' && raw.qas.length > 0) {
    report(checker, `${where}.context`, 'the context is empty');
    return skipAll();
  }
  const qas: SquadQuestion[] = [];
  raw.qas.forEach((question, q) => {
    checker.questionCount++;
    const kept = checkQuestion(checker, question, `${where}.qas[${q}]`, raw.context as string);
    if (kept) qas.push(kept);
    else checker.skippedQuestionCount++;
  });
  return { ...raw, context: raw.context, qas };
}

function checkArticle(checker: Checker, raw: unknown, where: string): SquadArticle | null {
  if (!isRecord(raw)) {
    report(checker, where, `an article must be an object with a "paragraphs" list, got ${typeName(raw)}`);
    return null;
  }
  if (!Array.isArray(raw.paragraphs)) {
    report(checker, where, raw.paragraphs === undefined ? 'the article has no "paragraphs" list' : `"paragraphs" must be a list, got ${typeName(raw.paragraphs)}`);
    return null;
  }
  const article: Record<string, unknown> = { ...raw };
  if ('title' in raw && typeof raw.title !== 'string') {
    report(checker, `${where}.title`, `"title" must be a string, got ${typeName(raw.title)}`);
    delete article.title;
  }
  const paragraphs: SquadParagraph[] = [];
  raw.paragraphs.forEach((paragraph, p) => {
    const kept = checkParagraph(checker, paragraph, `${where}.paragraphs[${p}]`);
    if (kept) paragraphs.push(kept);
  });
  return { ...article, paragraphs } as SquadArticle;
}

function checkDataset(raw: unknown, sourceName: string, options: SquadReadOptions, collect: boolean): SquadCheckReport {
  if (Array.isArray(raw)) throw new UserError(`${sourceName}: the top level is a list; a SQuAD file is an object {"version": ..., "data": [...]}`);
  if (!isRecord(raw)) throw new UserError(`${sourceName}: the top level is ${typeName(raw)}; a SQuAD file is an object {"version": ..., "data": [...]}`);
  if (!('data' in raw)) throw new UserError(`${sourceName}: no "data" field; a SQuAD file is an object {"version": ..., "data": [...]}`);
  if (!Array.isArray(raw.data)) throw new UserError(`${sourceName}: "data" must be a list of articles, got ${typeName(raw.data)}`);
  const purpose = options.purpose ?? 'train';
  const checker: Checker = {
    purpose,
    checkSpans: options.checkAnswerSpans ?? purpose !== 'predict',
    repairWhitespace: options.repairWhitespace ?? true,
    collect,
    isV2: hasV2Markers(raw),
    problems: [],
    repairs: { numericIds: 0, trimmedAnswers: 0 },
    seenIds: new Map(),
    questionCount: 0,
    skippedQuestionCount: 0,
  };
  const data: SquadArticle[] = [];
  try {
    raw.data.forEach((article, a) => {
      const kept = checkArticle(checker, article, `data[${a}]`);
      if (kept) data.push(kept);
    });
  } catch (error) {
    if (error instanceof FirstProblem) throw new UserError(`${sourceName}: ${error.problem.where}: ${error.problem.message}`);
    throw error;
  }
  if (checker.questionCount === 0 && checker.problems.length === 0) {
    throw new UserError(`${sourceName}: the file holds no questions`);
  }
  return {
    dataset: { ...raw, data } as SquadDataset,
    isV2: checker.isV2,
    questionCount: checker.questionCount,
    keptQuestionCount: checker.questionCount - checker.skippedQuestionCount,
    skippedQuestionCount: checker.skippedQuestionCount,
    problems: checker.problems,
    repairs: checker.repairs,
  };
}

/** Parses and checks SQuAD JSON text; throws a UserError naming the file and the place of the first problem. */
export function parseSquad(text: string, sourceName: string, options: SquadReadOptions = {}): SquadDataset {
  return checkDataset(parseJsonText(text, sourceName), sourceName, options, false).dataset;
}

/**
 * Parses and checks SQuAD JSON text, collecting every problem: questions with problems are left out and
 * counted. Only a file that is not JSON or has no "data" list still throws.
 */
export function parseSquadCollecting(text: string, sourceName: string, options: SquadReadOptions = {}): SquadCheckReport {
  return checkDataset(parseJsonText(text, sourceName), sourceName, options, true);
}

/** Reads and checks a SQuAD file (see parseSquad). */
export async function readSquadFile(path: string, options: SquadReadOptions = {}): Promise<SquadDataset> {
  return parseSquad(await readUserTextFile(path, options), path, options);
}

/** Reads a SQuAD file collecting all problems (see parseSquadCollecting). */
export async function readSquadFileCollecting(path: string, options: SquadReadOptions = {}): Promise<SquadCheckReport> {
  return parseSquadCollecting(await readUserTextFile(path, options), path, options);
}

/** A human summary of a collecting read: counts, then up to `maxListed` problems, one per line. */
export function describeCheckReport(report: SquadCheckReport, sourceName: string, maxListed = 20): string {
  const lines = [`${sourceName}: ${report.questionCount} questions, ${report.keptQuestionCount} usable, ${report.skippedQuestionCount} skipped, ${report.problems.length} problem(s)`];
  for (const problem of report.problems.slice(0, maxListed)) lines.push(`  ${problem.where}: ${problem.message}`);
  if (report.problems.length > maxListed) lines.push(`  … and ${report.problems.length - maxListed} more`);
  if (report.repairs.trimmedAnswers > 0) lines.push(`  repaired ${report.repairs.trimmedAnswers} answer(s) whose text had whitespace around it`);
  if (report.repairs.numericIds > 0) lines.push(`  read ${report.repairs.numericIds} numeric id(s) as strings`);
  return lines.join('\n');
}

/** Every question with its context, in file order (the order the official scripts iterate in). */
export function flattenExamples(dataset: SquadDataset): QaExample[] {
  const examples: QaExample[] = [];
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs) {
      for (const question of paragraph.qas) {
        const answers = question.answers.map((answer) => ({ text: answer.text, start: answer.answer_start }));
        const example: QaExample = {
          id: question.id,
          question: question.question,
          context: paragraph.context,
          answers,
          isImpossible: question.is_impossible === true || answers.length === 0,
        };
        if (article.title !== undefined) example.title = article.title;
        examples.push(example);
      }
    }
  }
  return examples;
}

/** Stable, readable SQuAD JSON: the dataset's own key order, two-space indent, a final newline. */
export function formatSquad(dataset: SquadDataset): string {
  return `${JSON.stringify(dataset, null, 2)}\n`;
}

/** Writes a SQuAD file atomically (temporary file in the same folder, then rename). */
export async function writeSquadFile(path: string, dataset: SquadDataset): Promise<void> {
  await writeFileAtomic(path, formatSquad(dataset));
}

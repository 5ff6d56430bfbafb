/**
 * The workspace dataset: one SQuAD v2.0 file whose contexts remember where in the workspace they came
 * from (`source`: path, character range, sha256 of the text) and whose questions remember who made
 * them (`origin`, `created`, `reviewed`) and which split they belong to. Other SQuAD tools ignore the
 * extra fields. Pure functions over the parsed file; the caller saves it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { UserError } from '../../engine/errors';
import type { RoundTripResult } from '../../engine/generate/types';
import type { SquadAnswer, SquadArticle, SquadDataset, SquadParagraph, SquadQuestion } from '../../engine/squad/types';
import { findPassage } from './passage';
import { mapSpanThrough, type Span, type TextChange } from './span-map';

export interface ContextSource {
  /** Workspace-relative path with forward slashes. */
  path: string;
  start: number;
  end: number;
  sha256: string;
}
export type QaOrigin = 'human' | 'generated';
export type Split = 'train' | 'validation';

export interface SpanTuneParagraph extends SquadParagraph {
  source?: ContextSource;
}
export interface SpanTuneQuestion extends SquadQuestion {
  origin?: QaOrigin;
  created?: string;
  reviewed?: boolean;
  split?: Split;
  /** The answer's text was edited in its document: shown as stale, left out of training. */
  stale?: boolean;
  /** Which generator made the pair (`llm` for a language model). */
  generator?: string;
  /** What a QA model answered to the generated question (see engine/generate/roundtrip.ts). */
  roundTrip?: RoundTripResult;
}

export interface Clock {
  now(): Date;
  newId(): string;
}
export const systemClock: Clock = { now: () => new Date(), newId: () => `st-${randomUUID()}` };

export function emptyDataset(): SquadDataset {
  return { version: 'v2.0', data: [] };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

interface Located {
  article: SquadArticle;
  paragraph: SpanTuneParagraph;
  qa: SpanTuneQuestion;
}

function* allQuestions(dataset: SquadDataset): Generator<Located> {
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs as SpanTuneParagraph[]) {
      for (const qa of paragraph.qas as SpanTuneQuestion[]) yield { article, paragraph, qa };
    }
  }
}

function findQuestion(dataset: SquadDataset, qaId: string): Located {
  for (const found of allQuestions(dataset)) if (found.qa.id === qaId) return found;
  throw new UserError(`No question with id "${qaId}" in the dataset`);
}

function paragraphsOf(dataset: SquadDataset, path: string): SpanTuneParagraph[] {
  return dataset.data.flatMap((a) => (a.paragraphs as SpanTuneParagraph[]).filter((p) => p.source?.path === path));
}

function requireText(value: string, what: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new UserError(`The ${what} is empty`);
  return trimmed;
}

export interface AnnotationInput {
  path: string;
  documentText: string;
  selection: Span;
  question: string;
  /** The passage does not answer the question (the selection then only picks the passage). */
  unanswerable?: boolean;
  origin?: QaOrigin;
}

/** Adds a question whose answer is the selection; the passage around it becomes (or reuses) a context. */
export function addQuestion(dataset: SquadDataset, input: AnnotationInput, clock: Clock = systemClock): SpanTuneQuestion {
  const question = requireText(input.question, 'question');
  const { selection, documentText } = input;
  if (selection.end <= selection.start && !input.unanswerable) {
    throw new UserError('Select the answer text in the editor first');
  }
  const paragraph = passageFor(dataset, input.path, documentText, selection);
  const source = paragraph.source as ContextSource;
  const answers: SquadAnswer[] = input.unanswerable
    ? []
    : [{ text: documentText.slice(selection.start, selection.end), answer_start: selection.start - source.start }];
  const origin = input.origin ?? 'human';
  const qa: SpanTuneQuestion = {
    id: clock.newId(),
    question,
    answers,
    is_impossible: Boolean(input.unanswerable),
    origin,
    created: clock.now().toISOString(),
    reviewed: origin === 'human',
  };
  paragraph.qas.push(qa);
  return qa;
}

function passageFor(dataset: SquadDataset, path: string, text: string, selection: Span): SpanTuneParagraph {
  const existing = paragraphsOf(dataset, path).find(
    (p) => p.source && p.source.start <= selection.start && selection.end <= p.source.end && text.slice(p.source.start, p.source.end) === p.context,
  );
  if (existing) return existing;
  const span = findPassage(text, selection);
  const context = text.slice(span.start, span.end);
  const paragraph: SpanTuneParagraph = { context, qas: [], source: { path, start: span.start, end: span.end, sha256: sha256(context) } };
  let article = dataset.data.find((a) => a.title === path);
  if (!article) {
    article = { title: path, paragraphs: [] };
    dataset.data.push(article);
  }
  article.paragraphs.push(paragraph);
  return paragraph;
}

/** Adds the selection as one more accepted answer of an existing question. */
export function addAnswer(dataset: SquadDataset, qaId: string, input: { path: string; documentText: string; selection: Span }): void {
  const { paragraph, qa } = findQuestion(dataset, qaId);
  const source = paragraph.source;
  const { selection } = input;
  if (selection.end <= selection.start) throw new UserError('Select the answer text in the editor first');
  if (!source || source.path !== input.path || selection.start < source.start || selection.end > source.end) {
    throw new UserError(`The selection is outside the passage of "${qa.question}"${source ? ` (${source.path})` : ''}`);
  }
  const answer = { text: input.documentText.slice(selection.start, selection.end), answer_start: selection.start - source.start };
  if (qa.answers.some((a) => a.answer_start === answer.answer_start && a.text === answer.text)) return;
  qa.answers.push(answer);
  qa.is_impossible = false;
  delete qa.plausible_answers;
}

/** The passage does not answer the question: SQuAD v2.0 keeps the old answers as plausible ones. */
export function markUnanswerable(dataset: SquadDataset, qaId: string): void {
  const { qa } = findQuestion(dataset, qaId);
  if (qa.answers.length > 0) qa.plausible_answers = qa.answers;
  qa.answers = [];
  delete qa.roundTrip;
  qa.is_impossible = true;
  delete qa.stale;
}

export function deleteQuestion(dataset: SquadDataset, qaId: string): void {
  const { article, paragraph, qa } = findQuestion(dataset, qaId);
  paragraph.qas.splice(paragraph.qas.indexOf(qa), 1);
  if (paragraph.qas.length === 0) article.paragraphs.splice(article.paragraphs.indexOf(paragraph), 1);
  if (article.paragraphs.length === 0) dataset.data.splice(dataset.data.indexOf(article), 1);
}

/** Edits the question and/or the (first) answer; a new answer text must occur in the passage. */
export function editQuestion(dataset: SquadDataset, qaId: string, edit: { question?: string; answerText?: string }): void {
  const { paragraph, qa } = findQuestion(dataset, qaId);
  const before = JSON.stringify([qa.question, qa.answers[0]]);
  if (edit.question !== undefined) qa.question = requireText(edit.question, 'question');
  if (edit.answerText !== undefined) {
    const text = requireText(edit.answerText, 'answer');
    const near = qa.answers[0]?.answer_start ?? 0;
    const start = nearestOccurrence(paragraph.context, text, near);
    if (start < 0) throw new UserError(`"${text}" does not occur in the passage of "${qa.question}"`);
    qa.answers = [{ text, answer_start: start }, ...qa.answers.slice(1)];
    qa.is_impossible = false;
    delete qa.stale;
  }
  // The model answered the old question or answer: its result says nothing about the new one.
  if (JSON.stringify([qa.question, qa.answers[0]]) !== before) delete qa.roundTrip;
}

function nearestOccurrence(haystack: string, needle: string, near: number): number {
  let best = -1;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
    if (best < 0 || Math.abs(i - near) < Math.abs(best - near)) best = i;
  }
  return best;
}

/** Accepting a generated pair marks it reviewed; rejecting deletes it. */
export function reviewQuestion(dataset: SquadDataset, qaId: string, accept: boolean): void {
  if (!accept) return deleteQuestion(dataset, qaId);
  findQuestion(dataset, qaId).qa.reviewed = true;
}

/**
 * Accepts the unreviewed generated pairs that passed the round trip, among `qaIds` (all when not
 * given); the others stay as they are. Returns how many were accepted.
 */
export function acceptPassed(dataset: SquadDataset, qaIds?: readonly string[]): number {
  const wanted = qaIds ? new Set(qaIds) : undefined;
  let accepted = 0;
  for (const { qa } of allQuestions(dataset)) {
    if (qa.reviewed !== false || (wanted && !wanted.has(qa.id)) || readRoundTrip(qa.roundTrip)?.passed !== true) continue;
    qa.reviewed = true;
    accepted++;
  }
  return accepted;
}

/** Reviews many pairs at once (the Dataset panel's bulk accept/reject); unknown ids are an error. */
export function reviewQuestions(dataset: SquadDataset, qaIds: readonly string[], accept: boolean): number {
  for (const id of qaIds) findQuestion(dataset, id);
  for (const id of qaIds) reviewQuestion(dataset, id, accept);
  return qaIds.length;
}

export function setSplit(dataset: SquadDataset, qaId: string, split: Split | undefined): void {
  const { qa } = findQuestion(dataset, qaId);
  if (split) qa.split = split;
  else delete qa.split;
}

/**
 * Moves the passages and answers of `path` through an edit of that document. Returns whether the
 * dataset changed. Answers whose own text changed keep their old text and are marked stale.
 */
export function applyDocumentChanges(dataset: SquadDataset, path: string, changes: readonly TextChange[], newText: string): boolean {
  let changed = false;
  for (const paragraph of paragraphsOf(dataset, path)) {
    const source = paragraph.source as ContextSource;
    const mappedContext = mapSpanThrough(source, changes);
    if (!mappedContext.touched && mappedContext.span.start === source.start) continue;
    changed = true;
    if (mappedContext.touched) {
      // Replacing the whole text (revert, formatter, external tool) often puts the passage back intact.
      const intact = nearestOccurrence(newText, paragraph.context, mappedContext.span.start);
      if (intact >= 0) {
        paragraph.source = { ...source, start: intact, end: intact + paragraph.context.length };
        reviveIfRestored(paragraph);
        continue;
      }
    }
    for (const qa of paragraph.qas as SpanTuneQuestion[]) {
      for (const list of [qa.answers, qa.plausible_answers ?? []]) {
        for (const answer of list) {
          const absolute = { start: source.start + answer.answer_start, end: source.start + answer.answer_start + answer.text.length };
          const mapped = mapSpanThrough(absolute, changes);
          if (mapped.touched && list === qa.answers) qa.stale = true;
          answer.answer_start = Math.max(0, mapped.span.start - mappedContext.span.start);
        }
      }
    }
    paragraph.context = newText.slice(mappedContext.span.start, mappedContext.span.end);
    paragraph.source = { path, start: mappedContext.span.start, end: mappedContext.span.end, sha256: sha256(paragraph.context) };
    reviveIfRestored(paragraph);
  }
  return changed;
}

/** A stale question whose answers read as they did again (undo, revert) is no longer stale. */
function reviveIfRestored(paragraph: SpanTuneParagraph): void {
  for (const qa of paragraph.qas as SpanTuneQuestion[]) {
    if (!qa.stale || qa.answers.length === 0) continue;
    if (qa.answers.every((a) => paragraph.context.slice(a.answer_start, a.answer_start + a.text.length) === a.text)) delete qa.stale;
  }
}

/**
 * Checks the passages of `path` against the document's current text (after a load, or an edit made
 * outside VS Code). A passage found elsewhere in the text is moved there; a passage that is gone
 * marks its questions stale. Returns what happened.
 */
export function reconcileDocument(dataset: SquadDataset, path: string, text: string): { moved: number; staled: number } {
  let moved = 0;
  let staled = 0;
  for (const paragraph of paragraphsOf(dataset, path)) {
    const source = paragraph.source as ContextSource;
    if (text.slice(source.start, source.end) === paragraph.context) continue;
    const start = nearestOccurrence(text, paragraph.context, source.start);
    if (start >= 0) {
      paragraph.source = { ...source, start, end: start + paragraph.context.length };
      moved++;
      continue;
    }
    for (const qa of paragraph.qas as SpanTuneQuestion[]) {
      if (!qa.stale && qa.answers.length > 0) {
        qa.stale = true;
        staled++;
      }
    }
  }
  return { moved, staled };
}

/** One question as the views show it, with answers in document offsets when the passage has a source. */
export interface QaEntry {
  id: string;
  question: string;
  path?: string;
  title?: string;
  passageIndex: number;
  passageStart?: number;
  passageEnd?: number;
  /** The passage, cut with "…" only when it is long. */
  passagePreview: string;
  answers: { text: string; start: number; end: number; documentStart?: number; documentEnd?: number }[];
  isImpossible: boolean;
  origin: QaOrigin;
  reviewed: boolean;
  split?: Split;
  stale: boolean;
  created?: string;
  generator?: string;
  roundTrip?: RoundTripResult;
}

const PREVIEW_CHARS = 160;

/** The passage as the dataset panel shows it: whole when short, else cut at a word with "…". */
function preview(context: string): string {
  if (context.length <= PREVIEW_CHARS) return context;
  const space = context.lastIndexOf(' ', PREVIEW_CHARS);
  return `${context.slice(0, space > PREVIEW_CHARS / 2 ? space : PREVIEW_CHARS).trimEnd()}…`;
}

export function listEntries(dataset: SquadDataset): QaEntry[] {
  const entries: QaEntry[] = [];
  dataset.data.forEach((article) => {
    (article.paragraphs as SpanTuneParagraph[]).forEach((paragraph, passageIndex) => {
      const source = paragraph.source;
      for (const qa of paragraph.qas as SpanTuneQuestion[]) {
        entries.push({
          id: qa.id,
          question: qa.question,
          path: source?.path,
          title: article.title,
          passageIndex,
          passageStart: source?.start,
          passageEnd: source?.end,
          passagePreview: preview(paragraph.context),
          answers: qa.answers.map((a) => ({
            text: a.text,
            start: a.answer_start,
            end: a.answer_start + a.text.length,
            documentStart: source ? source.start + a.answer_start : undefined,
            documentEnd: source ? source.start + a.answer_start + a.text.length : undefined,
          })),
          isImpossible: Boolean(qa.is_impossible),
          origin: qa.origin ?? 'human',
          reviewed: qa.reviewed ?? qa.origin !== 'generated',
          split: qa.split,
          stale: Boolean(qa.stale),
          created: qa.created,
          generator: typeof qa.generator === 'string' ? qa.generator : undefined,
          roundTrip: readRoundTrip(qa.roundTrip),
        });
      }
    });
  });
  return entries;
}

/** A round-trip record as saved, or undefined when it is missing or not one (a hand-edited file). */
function readRoundTrip(value: unknown): RoundTripResult | undefined {
  const record = value as Partial<RoundTripResult> | undefined;
  if (typeof record?.passed !== 'boolean' || typeof record.f1 !== 'number' || typeof record.answer !== 'string') return undefined;
  return { model: String(record.model ?? ''), answer: record.answer, f1: record.f1, passed: record.passed };
}

export interface DatasetCounts {
  questions: number;
  passages: number;
  files: number;
  answerable: number;
  unanswerable: number;
  generated: number;
  unreviewed: number;
  stale: number;
  train: number;
  validation: number;
}

export function countDataset(dataset: SquadDataset): DatasetCounts {
  const entries = listEntries(dataset);
  const paths = new Set(entries.map((e) => e.path).filter(Boolean));
  return {
    questions: entries.length,
    passages: dataset.data.reduce((n, a) => n + a.paragraphs.length, 0),
    files: paths.size,
    answerable: entries.filter((e) => !e.isImpossible).length,
    unanswerable: entries.filter((e) => e.isImpossible).length,
    generated: entries.filter((e) => e.origin === 'generated').length,
    unreviewed: entries.filter((e) => !e.reviewed).length,
    stale: entries.filter((e) => e.stale).length,
    train: entries.filter((e) => e.split === 'train').length,
    validation: entries.filter((e) => e.split === 'validation').length,
  };
}

/**
 * The files training reads: stale questions and (unless asked) unreviewed generated ones are left
 * out; questions with an explicit split go there; the others are split by passage (so that a
 * passage's questions never land on both sides) with a stable hash, `validationFraction` of them to
 * validation.
 */
export function buildTrainingSets(
  dataset: SquadDataset,
  options: { includeUnreviewed: boolean; validationFraction: number },
): { train: SquadDataset; validation: SquadDataset } {
  const train: SquadDataset = { version: 'v2.0', data: [] };
  const validation: SquadDataset = { version: 'v2.0', data: [] };
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs as SpanTuneParagraph[]) {
      const usable = (paragraph.qas as SpanTuneQuestion[]).filter(
        (qa) => !qa.stale && (qa.reviewed !== false || options.includeUnreviewed) && (qa.is_impossible || qa.answers.length > 0),
      );
      const passageGoesToValidation = hashFraction(paragraph.context) < options.validationFraction;
      for (const [target, split] of [[train, 'train'], [validation, 'validation']] as const) {
        const qas = usable.filter((qa) => (qa.split ?? (passageGoesToValidation ? 'validation' : 'train')) === split);
        if (qas.length === 0) continue;
        target.data.push({ title: article.title, paragraphs: [{ context: paragraph.context, qas: qas.map(cleanQuestion) }] });
      }
    }
  }
  return { train, validation };
}

function cleanQuestion(qa: SpanTuneQuestion): SquadQuestion {
  return { id: qa.id, question: qa.question, answers: qa.answers.map((a) => ({ text: a.text, answer_start: a.answer_start })), is_impossible: Boolean(qa.is_impossible) };
}

function hashFraction(text: string): number {
  return parseInt(sha256(text).slice(0, 8), 16) / 0x100000000;
}

export interface ImportReport {
  added: number;
  duplicates: number;
  conflicts: string[];
}

/**
 * Merges another SQuAD file: new questions are added (under the same title and context when those
 * exist); a question whose id is taken by a different question is a conflict and is left out.
 */
export function importDataset(dataset: SquadDataset, incoming: SquadDataset, clock: Clock = systemClock): ImportReport {
  const byId = new Map<string, Located>();
  for (const found of allQuestions(dataset)) byId.set(found.qa.id, found);
  const report: ImportReport = { added: 0, duplicates: 0, conflicts: [] };
  for (const article of incoming.data) {
    for (const paragraph of article.paragraphs) {
      for (const qa of paragraph.qas as SpanTuneQuestion[]) {
        const existing = byId.get(qa.id);
        if (existing) {
          if (existing.paragraph.context === paragraph.context && sameQuestion(existing.qa, qa)) report.duplicates++;
          else report.conflicts.push(`"${qa.id}": the dataset already has a different question with this id ("${existing.qa.question}")`);
          continue;
        }
        const target = paragraphFor(dataset, article.title, paragraph);
        const copy: SpanTuneQuestion = { ...structuredClone(qa), created: qa.created ?? clock.now().toISOString(), origin: qa.origin ?? 'human' };
        target.qas.push(copy);
        byId.set(copy.id, { article: dataset.data.find((a) => a.paragraphs.includes(target)) as SquadArticle, paragraph: target, qa: copy });
        report.added++;
      }
    }
  }
  return report;
}

function sameQuestion(a: SquadQuestion, b: SquadQuestion): boolean {
  const answers = (q: SquadQuestion) => JSON.stringify(q.answers.map((x) => [x.text, x.answer_start]));
  return a.question === b.question && answers(a) === answers(b) && Boolean(a.is_impossible) === Boolean(b.is_impossible);
}

function paragraphFor(dataset: SquadDataset, title: string | undefined, incoming: SquadParagraph): SquadParagraph {
  let article = dataset.data.find((a) => a.title === title);
  if (!article) {
    article = { title, paragraphs: [] };
    dataset.data.push(article);
  }
  let paragraph = article.paragraphs.find((p) => p.context === incoming.context);
  if (!paragraph) {
    const { qas: _ignored, ...rest } = incoming;
    paragraph = { ...structuredClone(rest), context: incoming.context, qas: [] };
    article.paragraphs.push(paragraph);
  }
  return paragraph;
}

/** SQuAD v2.0 keeps everything; v1.1 has no unanswerable questions and no `is_impossible`. */
export function exportDataset(dataset: SquadDataset, version: '1.1' | '2.0'): SquadDataset {
  const copy = structuredClone(dataset);
  if (version === '2.0') return { ...copy, version: 'v2.0' };
  for (const article of copy.data) {
    for (const paragraph of article.paragraphs) {
      paragraph.qas = paragraph.qas.filter((qa) => !qa.is_impossible && qa.answers.length > 0);
      for (const qa of paragraph.qas) {
        delete qa.is_impossible;
        delete qa.plausible_answers;
      }
    }
    article.paragraphs = article.paragraphs.filter((p) => p.qas.length > 0);
  }
  return { ...copy, version: '1.1', data: copy.data.filter((a) => a.paragraphs.length > 0) };
}

/**
 * Turns a language model's proposed pairs into checked pairs of a passage: every answer is found in
 * the passage text and stored as exactly that text at its offset; what is not there (a paraphrase, a
 * word cut in half, markup inside) is dropped, and so are questions that do not read as one, state
 * their answer, or repeat a question the passage already has.
 */
import { normalizeAnswer } from '../../squad/metrics';
import { assertExactSpan, type GeneratedPair } from '../pairs';
import type { Passage } from '../passages';
import type { ProposedPair } from './prompt';

/** Confidence given to a language model's pairs (the rule-based generators rank theirs in 0..1). */
export const LLM_CONFIDENCE = 0.8;
const MAX_ANSWER_WORDS = 20;
const MAX_QUESTION_CHARS = 300;

export interface SpanCheck {
  pairs: GeneratedPair[];
  /** Answers that are not a span of the passage. */
  notInPassage: number;
  /** Questions or answers that do not fit (not a question, answer too long, question contains the answer). */
  rejected: number;
  /** Questions the passage already had (from a generator or earlier in the reply). */
  duplicates: number;
}

const isWordChar = (char: string | undefined) => char !== undefined && /[\p{L}\p{N}_]/u.test(char);

/** Every place where `answer` occurs as whole words, allowing any whitespace where the answer has some. */
function occurrences(text: string, answer: string): { start: number; text: string }[] {
  const words = answer.split(/\s+/).filter(Boolean).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (words.length === 0) return [];
  const found: { start: number; text: string }[] = [];
  for (const match of text.matchAll(new RegExp(words.join('\\s+'), 'gu'))) {
    const start = match.index;
    const end = start + match[0].length;
    // "art" inside "start" is not the answer "art".
    if (isWordChar(match[0][0]) && isWordChar(text[start - 1])) continue;
    if (isWordChar(match[0].at(-1)) && isWordChar(text[end])) continue;
    found.push({ start, text: match[0] });
  }
  return found;
}

/** Of several occurrences, the one whose surroundings share the most words with the question (the first on a tie). */
function closestToQuestion(text: string, found: { start: number; text: string }[], question: string): { start: number; text: string } {
  if (found.length === 1) return found[0]!;
  const questionWords = new Set(normalizeAnswer(question).split(' ').filter((word) => word.length > 2));
  let best = found[0]!;
  let bestScore = -1;
  for (const occurrence of found) {
    const around = normalizeAnswer(text.slice(Math.max(0, occurrence.start - 150), occurrence.start + occurrence.text.length + 150)).split(' ');
    const score = new Set(around.filter((word) => questionWords.has(word))).size;
    if (score > bestScore) {
      best = occurrence;
      bestScore = score;
    }
  }
  return best;
}

function readsAsQuestion(question: string): boolean {
  return question.endsWith('?') && !question.slice(0, -1).includes('?') && question.split(' ').length >= 3 && question.length <= MAX_QUESTION_CHARS;
}

export function questionKey(question: string): string {
  return normalizeAnswer(question);
}

/** Checks a reply's pairs for `passage`; `taken` holds the question keys the passage already has and grows with each pair kept. */
export function pairsFromProposals(passage: Passage, proposals: readonly ProposedPair[], taken: Set<string>): SpanCheck {
  const check: SpanCheck = { pairs: [], notInPassage: 0, rejected: 0, duplicates: 0 };
  for (const proposal of proposals) {
    const question = proposal.question.replace(/\s+/g, ' ').trim();
    const answer = proposal.answer.trim();
    const normalizedAnswer = normalizeAnswer(answer);
    if (!readsAsQuestion(question) || answer === '' || answer.split(/\s+/).length > MAX_ANSWER_WORDS) {
      check.rejected++;
      continue;
    }
    // A question that states its own answer teaches nothing.
    if (normalizedAnswer.length >= 3 && ` ${normalizeAnswer(question)} `.includes(` ${normalizedAnswer} `)) {
      check.rejected++;
      continue;
    }
    // Markup inside the span (a link, emphasis) would make the answer differ from what a reader sees.
    const found = occurrences(passage.text, answer).filter((o) => passage.plain.slice(o.start, o.start + o.text.length) === o.text);
    if (found.length === 0) {
      check.notInPassage++;
      continue;
    }
    const key = questionKey(question);
    if (taken.has(key)) {
      check.duplicates++;
      continue;
    }
    const span = closestToQuestion(passage.text, found, question);
    assertExactSpan(passage.text, span.text, span.start);
    taken.add(key);
    check.pairs.push({ question, answer: span.text, answerStart: span.start, confidence: LLM_CONFIDENCE, generator: 'llm' });
  }
  return check;
}

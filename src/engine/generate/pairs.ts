import type { Candidate } from './generators/context';
import type { Passage } from './passages';
import { normalizeAnswer as normalizeText } from '../squad/metrics';
import { isCompleteQuestion } from './question';
import type { GeneratorName, PairSource, RoundTripResult } from './types';

/** A checked question–answer pair of one passage; `answerStart` is relative to the passage text. */
export interface GeneratedPair {
  question: string;
  answer: string;
  answerStart: number;
  confidence: number;
  generator: PairSource;
  /** Set by the round-trip filter. */
  roundTrip?: RoundTripResult;
}

const MAX_ANSWER_CHARS = 400;

/**
 * Throws when an answer is not exactly the passage text at its start: that would be a bug in a
 * generator, and a wrong span would silently teach the model the wrong thing.
 */
export function assertExactSpan(context: string, answer: string, answerStart: number): void {
  if (answer === '' || context.slice(answerStart, answerStart + answer.length) !== answer) {
    throw new Error(`generated answer ${JSON.stringify(answer)} is not the passage text at ${answerStart}`);
  }
}

/** True when brackets and quotes in an answer are closed inside it ("73 miles (117 km" is cut off). */
export function isBalanced(text: string): boolean {
  for (const [open, close] of [['(', ')'], ['[', ']'], ['{', '}'], ['\u201c', '\u201d']] as const) {
    if (text.split(open).length !== text.split(close).length) return false;
  }
  if ((text.match(/"/g)?.length ?? 0) % 2 !== 0) return false;
  // An opening single quote needs its closing one ("word 'plague" is cut off); apostrophes inside words are fine.
  return !/(^|[\s(])['\u2018](?![^'\u2019]*['\u2019](?!\p{L}))/u.test(text);
}

/** True when an answer ends with a word that needs more after it ("a fictional harbour on a", "the mean sea level plus the"). */
export function isCutOff(answer: string): boolean {
  return /\s(a|an|the|of|and|or|to|in|on|at|for|with|by|from|as|that|which|who|plus|than)$/i.test(answer);
}

/** Turns candidates into pairs: answers taken from the passage and checked, questions that are complete questions (not fragments). */
export function checkCandidates(passage: Passage, generator: GeneratorName, candidates: Candidate[]): GeneratedPair[] {
  const pairs: GeneratedPair[] = [];
  for (const candidate of candidates) {
    const answerStart = candidate.start - passage.start;
    const answerEnd = candidate.end - passage.start;
    if (answerStart < 0 || answerEnd > passage.text.length || answerEnd <= answerStart) {
      throw new Error(`generator ${generator} proposed a range [${candidate.start}, ${candidate.end}) outside its passage`);
    }
    const answer = passage.text.slice(answerStart, answerEnd);
    if (answer !== passage.plain.slice(answerStart, answerEnd) || answer !== answer.trim() || answer.length > MAX_ANSWER_CHARS || !isBalanced(answer) || isCutOff(answer)) continue;
    // ", 1990 China": an answer opens with a word, a number or an opening mark, never with a comma; and
    // a question with a space before its punctuation ("in China in, 1990") was cut out of broken text.
    if (/^[,;:.!?)\]]/.test(answer) || /\s[,;:]|\b(in|on|at|of|to|for|by|with|from|the|a|an)[,;:]/i.test(candidate.question)) continue;
    if (generator !== 'cloze' && !isCompleteQuestion(candidate.question)) continue;
    // A question that states its own answer teaches nothing.
    const normalizedAnswer = normalizeText(answer);
    if (normalizedAnswer.length >= 3 && ` ${normalizeText(candidate.question)} `.includes(` ${normalizedAnswer} `)) continue;
    assertExactSpan(passage.text, answer, answerStart);
    pairs.push({ question: candidate.question, answer, answerStart, confidence: Math.min(1, Math.max(0, candidate.confidence)), generator });
  }
  return pairs;
}

/** One pair per normalised question (the most confident), then the `max` most confident in passage order. */
export function selectPairs(pairs: GeneratedPair[], max: number): GeneratedPair[] {
  const best = new Map<string, GeneratedPair>();
  for (const pair of pairs) {
    const key = normalizeText(pair.question);
    const kept = best.get(key);
    if (!kept || pair.confidence > kept.confidence) best.set(key, pair);
  }
  const ranked = [...best.values()].sort((a, b) => b.confidence - a.confidence).slice(0, max);
  return ranked.sort((a, b) => a.answerStart - b.answerStart);
}

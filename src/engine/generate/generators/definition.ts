import type { Sentence } from '../nlp';
import { finishQuestion, lowerFirstWord } from '../question';
import { hasBreakAfter, mainClause, phrase } from './clause';
import { trimRange, type Candidate, type Generator, type PassageContext } from './context';
import { isGenericHeading } from './heading';

const VAGUE_SUBJECT = /^(it|this|that|these|those|they|he|she|we|i|you|there|here|which|who|such|one|all|each|both|some|its|their|his|her|our|what|following|another|other|default|permission)$/i;
/** Verbs that define their subject, with the question each one asks. */
const DEFINING_VERBS: Record<string, (subject: string) => string> = {
  means: (x) => `What does ${x} mean`,
  mean: (x) => `What do ${x} mean`,
  refers: (x) => `What does ${x} refer to`,
  refer: (x) => `What do ${x} refer to`,
  denotes: (x) => `What does ${x} denote`,
  stands: (x) => `What does ${x} stand for`,
};
const MAX_ANSWER_WORDS = 30;

/** "X is/are/means/refers to Y" at the start of a sentence → "What is X?" answered by Y. */
function fromSentence(context: PassageContext, sentence: Sentence): Candidate | undefined {
  const clause = mainClause(sentence);
  if (!clause || clause.subjectFrom !== 0) return undefined;
  const { terms } = sentence;
  const { verb } = clause;
  const subjectTerms = terms.slice(0, verb.from);
  const vague = VAGUE_SUBJECT.test(subjectTerms[0]!.text) || (subjectTerms.length === 2 && subjectTerms[0]!.tags.has('Determiner') && VAGUE_SUBJECT.test(subjectTerms[1]!.text));
  if (subjectTerms.length > 8 || vague) return undefined;
  if (subjectTerms.some((term) => term.tags.has('Pronoun') || term.tags.has('Preposition') && term.text.toLowerCase() !== 'of')) return undefined;
  const verbWord = terms[verb.main]!.text.toLowerCase();
  let answerFrom = verb.to;
  let ask: ((subject: string) => string) | undefined;
  let confidence = 0.55;
  if (verb.copula && (verbWord === 'is' || verbWord === 'are') && !verb.negative && verb.to - verb.from === 1) {
    ask = (x) => `What ${verbWord} ${x}`;
    const first = terms[answerFrom];
    // "X is a/an/the Y" defines; "X is used", "X is also", "X is large" do not.
    if (!first || !(first.tags.has('Determiner') || first.tags.has('Noun')) || first.tags.has('Pronoun') || first.tags.has('Adverb')) return undefined;
    if (first.tags.has('Determiner') && /^(a|an)$/i.test(first.text)) confidence = 0.6;
  } else if (verb.auxiliary === '' && DEFINING_VERBS[verbWord]) {
    ask = DEFINING_VERBS[verbWord];
    if ((verbWord.startsWith('refer') && terms[answerFrom]?.text.toLowerCase() === 'to') || (verbWord === 'stands' && terms[answerFrom]?.text.toLowerCase() === 'for')) answerFrom++;
    confidence = 0.7;
  } else {
    return undefined;
  }
  let answerTo = clause.end;
  if (answerTo - answerFrom > MAX_ANSWER_WORDS) {
    const comma = terms.slice(answerFrom, answerTo).findIndex(hasBreakAfter);
    if (comma < 0 || comma + 1 > MAX_ANSWER_WORDS) return undefined;
    answerTo = answerFrom + comma + 1;
  }
  if (answerTo <= answerFrom || !terms.slice(answerFrom, answerTo).some((term) => term.tags.has('Noun'))) return undefined;
  const { start, end } = trimRange(context, terms[answerFrom]!.start, terms[answerTo - 1]!.end);
  if (!context.isClean(start, end)) return undefined;
  const firstWord = subjectTerms[0]!;
  const subject = lowerFirstWord(phrase(context, terms, 0, verb.from), !context.isCommonWord(firstWord.text) && !firstWord.tags.has('Determiner'));
  return { question: finishQuestion([ask(subject)]), start, end, confidence };
}

const TERM_AND_GLOSS = /^([\p{L}\d][\p{L}\d .'/+#-]{0,48}?)\s*(?::|\s[\u2013\u2014-]\s)\s*(\S[^\n]{14,})$/u;

/** A list item "Term: what it is" or "Term — what it is" (a glossary) → "What is Term?". */
function fromGlossaryItem(context: PassageContext, start: number, end: number): Candidate | undefined {
  const line = context.plain(start, end).split('\n')[0]!;
  const offset = start + (line.length - line.trimStart().length);
  const match = TERM_AND_GLOSS.exec(line.trim());
  if (!match) return undefined;
  const term = match[1]!.trim();
  if (term.split(/\s+/).length > 6 || /^(https?|ftp|mailto|file)$/i.test(term) || /^[\d@]|[{}]/.test(term) || isGenericHeading(term)) return undefined;
  // Credits ("Name — by Someone", "— view contributions") are not glosses.
  if (/^(by|view|see)\s/i.test(match[2]!)) return undefined;
  const glossStart = offset + match[0].length - match[2]!.length;
  const sentenceEnd = /[.!?](\s|$)/.exec(match[2]!);
  const glossEnd = glossStart + (sentenceEnd ? sentenceEnd.index : match[2]!.length);
  const range = trimRange(context, glossStart, glossEnd);
  if (!context.isClean(range.start, range.end)) return undefined;
  const plural = /[^s]s$/.test(term) && !/^[\p{Lu}\d]+s$/u.test(term) ? 'are' : 'is';
  return { question: finishQuestion([`What ${plural} ${term}`]), ...range, confidence: 0.55 };
}

export const definitionGenerator: Generator = {
  name: 'definition',
  generate(context) {
    const candidates: Candidate[] = [];
    for (const sentence of context.sentences()) {
      const candidate = fromSentence(context, sentence);
      if (candidate) candidates.push(candidate);
    }
    for (const block of context.passage.blocks) {
      if (block.kind !== 'list-item') continue;
      const candidate = fromGlossaryItem(context, block.start, block.end);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  },
};

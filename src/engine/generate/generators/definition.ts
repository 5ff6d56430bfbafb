import type { Sentence } from '../nlp';
import { finishQuestion } from '../question';
import { clausesOf, isSpecific, subjectText } from './clause';
import { trimRange, type Candidate, type Generator, type PassageContext } from './context';
import { isGenericHeading } from './heading';
import { passageQuestions } from './wh';

/** Verbs that define their subject, with the question each one asks. */
const DEFINING_VERBS: Record<string, (subject: string) => string> = {
  means: (x) => `What does ${x} mean`,
  mean: (x) => `What do ${x} mean`,
  refers: (x) => `What does ${x} refer to`,
  refer: (x) => `What do ${x} refer to`,
  denotes: (x) => `What does ${x} denote`,
  stands: (x) => `What does ${x} stand for`,
};

/** "X means / refers to / stands for Y" → "What does X refer to?" answered by Y. */
function fromDefiningVerb(context: PassageContext, sentence: Sentence): Candidate | undefined {
  const clause = clausesOf(sentence).find((one) => one.subject.from === 0 && !one.relative);
  if (!clause || !isSpecific(sentence.terms, clause.subject) || clause.verb.auxiliary !== '' || clause.verb.to - clause.verb.from !== 1) return undefined;
  const { terms } = sentence;
  const verb = terms[clause.verb.main]!.text.toLowerCase();
  const ask = DEFINING_VERBS[verb];
  const parts = clause.parts;
  if (!ask || parts.length === 0 || parts.some((part) => part.detached)) return undefined;
  let from = parts[0]!.from;
  if ((verb.startsWith('refer') && parts[0]!.preposition === 'to') || (verb === 'stands' && parts[0]!.preposition === 'for')) from++;
  else if (parts[0]!.kind !== 'noun') return undefined;
  const { start, end } = trimRange(context, terms[from]!.start, terms[parts.at(-1)!.to - 1]!.end);
  if (!context.isClean(start, end)) return undefined;
  return { question: finishQuestion([ask(subjectText(context, clause))]), start, end, confidence: 0.7 };
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

const ACRONYM = /\(([\p{Lu}][\p{Lu}\p{Ll}\d&-]{1,11})\)/gu;
/** Small words that an abbreviation leaves out ("Department of Defense" → "DoD"). */
const SKIPPED_IN_ACRONYMS = /^(of|and|the|for|in|on|to|a|an|de|du|la|&)$/i;

/**
 * "severe acute respiratory syndrome (SARS)" → "What does SARS stand for?": the words before the
 * bracket whose initials spell the abbreviation are its expansion.
 */
function fromAcronym(context: PassageContext, start: number, end: number): Candidate[] {
  const candidates: Candidate[] = [];
  const text = context.plain(start, end);
  for (const match of text.matchAll(ACRONYM)) {
    const acronym = match[1]!;
    const letters = acronym.replace(/[^\p{Lu}]/gu, '');
    if (letters.length < 2) continue;
    const words = [...text.slice(0, match.index).matchAll(/[\p{L}\d][\p{L}\d'’-]*/gu)];
    let wanted = letters.length;
    let first: RegExpExecArray | RegExpMatchArray | undefined;
    for (let k = words.length - 1; k >= 0 && wanted > 0 && words.length - k <= letters.length + 4; k--) {
      const word = words[k]![0];
      if (SKIPPED_IN_ACRONYMS.test(word) && wanted < letters.length) continue;
      // A hyphenated word may give one letter per part ("Middle East respiratory syndrome-related").
      const initials = word.split('-').map((part) => part.charAt(0).toUpperCase()).join('');
      const expected = letters.slice(Math.max(0, wanted - initials.length), wanted);
      if (initials === expected) wanted -= initials.length;
      else if (initials.charAt(0) === letters.charAt(wanted - 1)) wanted -= 1;
      else break;
      first = words[k];
    }
    if (wanted !== 0 || !first) continue;
    const range = trimRange(context, start + first.index!, start + match.index! );
    if (!context.isClean(range.start, range.end) || context.plain(range.start, range.end).includes('\n\n')) continue;
    candidates.push({ question: finishQuestion([`What does ${acronym} stand for`]), ...range, confidence: 0.75 });
  }
  return candidates;
}

export const definitionGenerator: Generator = {
  name: 'definition',
  generate(context) {
    const candidates: Candidate[] = [];
    for (const sentence of context.sentences()) {
      const candidate = fromDefiningVerb(context, sentence);
      if (candidate) candidates.push(candidate);
    }
    // "X is a Y": the predicate of a plain copula, found with the other sentence questions.
    for (const { question, start, end, confidence, kind } of passageQuestions(context)) {
      if (kind === 'definition') candidates.push({ question, start, end, confidence });
    }
    for (const block of context.proseBlocks) candidates.push(...fromAcronym(context, block.start, block.end));
    for (const block of context.passage.blocks) {
      if (block.kind !== 'list-item') continue;
      const candidate = fromGlossaryItem(context, block.start, block.end);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  },
};

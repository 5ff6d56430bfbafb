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
    for (const block of context.passage.blocks) {
      if (block.kind !== 'list-item') continue;
      const candidate = fromGlossaryItem(context, block.start, block.end);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  },
};

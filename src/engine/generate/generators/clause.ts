import { infinitiveOf, type Sentence, type Term, type VerbGroup } from '../nlp';
import type { PassageContext } from './context';

/** A sentence's main clause: its subject and verb group, as term indices. */
export interface Clause {
  /** First term of the subject (after a fronted phrase such as "In 1066,"). */
  subjectFrom: number;
  verb: VerbGroup;
  /** End (exclusive) of the clause: where a new clause or a parenthesis begins. */
  end: number;
}

const SUBORDINATE_START = new Set(['although', 'though', 'while', 'when', 'whereas', 'because', 'since', 'if', 'after', 'before', 'as', 'once', 'unless', 'however', 'moreover', 'furthermore', 'thus', 'therefore', 'also', 'additionally']);
const NEW_CLAUSE = new Set(['which', 'who', 'whom', 'whose', 'and', 'but', 'while', 'whereas', 'although', 'though', 'where', 'because', 'so', 'or', 'yet', 'including', 'as', 'with', 'since']);

export function hasBreakAfter(term: Term): boolean {
  return /[,;:()\u2013\u2014"\u201c\u201d[\]]/.test(term.after) || /\s[-–]\s/.test(term.after);
}

/** Finds the subject and main verb of a sentence, or undefined when the parse is not simple enough. */
export function mainClause(sentence: Sentence): Clause | undefined {
  const { terms } = sentence;
  for (const verb of sentence.verbs) {
    if (verb.from === 0) continue;
    const before = terms[verb.from - 1]!;
    if (/^to$/i.test(before.text) || terms[verb.from]!.tags.has('Gerund')) continue;
    let subjectFrom = 0;
    // A fronted phrase ("In 1066,", "However,") ends at the last comma before the verb.
    const first = terms[0]!;
    if (first.tags.has('Preposition') || first.tags.has('Adverb') || first.tags.has('Conjunction') || SUBORDINATE_START.has(first.text.toLowerCase())) {
      for (let i = verb.from - 1; i >= 0; i--) {
        if (/,/.test(terms[i]!.after)) {
          subjectFrom = i + 1;
          break;
        }
      }
      if (subjectFrom === 0) return undefined;
    }
    const subject = terms.slice(subjectFrom, verb.from);
    if (subject.length === 0 || subject.length > 12) return undefined;
    if (subject.slice(0, -1).some(hasBreakAfter)) return undefined;
    if (!subject.some((term) => term.tags.has('Noun') || term.tags.has('Pronoun') || term.tags.has('Value'))) return undefined;
    if (subject.some((term) => term.tags.has('Verb') && !term.tags.has('Adjective') && !term.tags.has('Participle'))) return undefined;
    if (subject.length === 1 && /^(there|here)$/i.test(subject[0]!.text)) return undefined;
    let end = terms.length;
    for (let i = verb.to; i < terms.length - 1; i++) {
      const term = terms[i]!;
      if (/[;:()\u2013\u2014[\]]/.test(term.after) || /\s[-–]\s/.test(term.after)) {
        end = i + 1;
        break;
      }
      const next = terms[i + 1]!;
      const coordinatedVerb = /^(and|but|or)$/i.test(next.text) && terms[i + 2]?.tags.has('Verb') === true;
      if ((/,/.test(term.after) && NEW_CLAUSE.has(next.text.toLowerCase())) || coordinatedVerb) {
        end = i + 1;
        break;
      }
    }
    return { subjectFrom, verb, end };
  }
  return undefined;
}

/** Readable text of terms [from, to) as written (hyphens and inner punctuation kept). */
export function phrase(context: PassageContext, terms: Term[], from: number, to: number): string {
  if (to <= from) return '';
  return context.words(terms[from]!.start, terms[to - 1]!.end).replace(/^["'\u201c\u2018(]+|["'\u201d\u2019),;:.]+$/g, '');
}

const PLURAL_PRONOUN = /^(they|we|you|i)$/i;

/** True when the subject's head (its last noun) is plural, for the choice between "do" and "does". */
export function pluralSubject(terms: Term[], from: number, to: number): boolean {
  for (let i = to - 1; i >= from; i--) {
    const term = terms[i]!;
    if (term.tags.has('Pronoun')) return PLURAL_PRONOUN.test(term.text);
    if (term.tags.has('Noun') || term.tags.has('Value')) return term.tags.has('Plural');
  }
  return false;
}

/**
 * Turns "subject + verb group + rest" into question word order after a wh-phrase:
 * "the Normans gave their name" → "did the Normans give their name"; "was descended" → "was ... descended".
 */
export function invert(context: PassageContext, sentence: Sentence, clause: Clause, subject: string, rest: string): string | undefined {
  const { verb } = clause;
  const terms = sentence.terms;
  const verbText = phrase(context, terms, verb.from, verb.to);
  if (verb.auxiliary !== '') {
    const first = verb.auxiliary.split(/\s+/)[0];
    if (!first || !verbText.toLowerCase().startsWith(first.toLowerCase())) return undefined;
    const remainder = verbText.slice(first.length).trim();
    return [first.toLowerCase(), subject, remainder, rest].filter(Boolean).join(' ');
  }
  if (verb.copula) {
    // "is also the oldest" → "is he also the oldest".
    const [copula, ...adverbs] = verbText.split(' ');
    return [copula!.toLowerCase(), subject, ...adverbs, rest].filter(Boolean).join(' ');
  }
  if (verb.to - verb.from > 1) return undefined;
  const main = terms[verb.main]!;
  if (!main.tags.has('PastTense') && !main.tags.has('PresentTense')) return undefined;
  const auxiliary = verb.past ? 'did' : pluralSubject(terms, clause.subjectFrom, verb.from) ? 'do' : 'does';
  return [auxiliary, verb.negative ? 'not' : '', subject, infinitiveOf(main.text), rest].filter(Boolean).join(' ');
}

import { findEntities, type Entity, type EntityType, type Sentence, type Term } from '../nlp';
import { finishQuestion, lowerFirstWord } from '../question';
import { hasBreakAfter, invert, mainClause, phrase } from './clause';
import type { Candidate, Generator, PassageContext } from './context';

/** How sure each answer type's questions are, before the shape of the sentence is counted. */
const BASE_CONFIDENCE: Record<EntityType, number> = {
  date: 0.6, person: 0.55, count: 0.55, money: 0.55, percent: 0.55, duration: 0.5, place: 0.5, organization: 0.45, name: 0.35, number: 0.3,
};
const DROPPED_BEFORE_WHEN = new Set(['in', 'on', 'at', 'during']);
const DROPPED_BEFORE_WHERE = new Set(['in', 'at', 'near', 'within', 'inside', 'throughout', 'on']);

interface WhPlan {
  /** The wh-phrase that opens the question ("When", "How many workers"). */
  wh: string;
  /** Terms [from, to) taken out of the sentence (the answer, its preposition, the counted noun). */
  removeFrom: number;
  removeTo: number;
}

/** The question word for an answer of this type and the terms it replaces; undefined when no good rule fits. */
function planWh(context: PassageContext, sentence: Sentence, entity: Entity, clauseEnd: number): WhPlan | undefined {
  const { terms } = sentence;
  // "in the 1960s": the determiner goes with the answer, the preposition is looked at behind it.
  const from = terms[entity.from - 1]?.tags.has('Determiner') && !hasBreakAfter(terms[entity.from - 1]!) ? entity.from - 1 : entity.from;
  const before = terms[from - 1];
  const preposition = before?.tags.has('Preposition') && !hasBreakAfter(before) ? before.text.toLowerCase() : undefined;
  const withPreposition = { removeFrom: from - 1, removeTo: entity.to };
  const alone = { removeFrom: from, removeTo: entity.to };
  switch (entity.type) {
    case 'person':
      return { wh: 'who', ...alone };
    case 'organization':
      return { wh: preposition === 'by' ? 'who' : 'what', ...alone };
    case 'name':
      return { wh: 'what', ...alone };
    case 'place':
      if (preposition && DROPPED_BEFORE_WHERE.has(preposition)) return { wh: 'where', ...withPreposition };
      return { wh: preposition ? 'where' : 'what', ...alone };
    case 'date':
      if (preposition === undefined) return { wh: 'when', ...alone };
      if (DROPPED_BEFORE_WHEN.has(preposition)) return { wh: 'when', ...withPreposition };
      if (preposition === 'since' || preposition === 'until' || preposition === 'by') return { wh: `${preposition} when`, ...withPreposition };
      return undefined;
    case 'duration':
      if (preposition === undefined) return { wh: 'how long', ...alone };
      if (preposition === 'for') return { wh: 'how long', ...withPreposition };
      return undefined;
    case 'money':
      return { wh: 'how much', ...alone };
    case 'percent':
      return { wh: 'what percentage', ...alone };
    case 'count': {
      // "2,000 striking workers" → "How many striking workers": the counted noun phrase moves to the front.
      let nounEnd = entity.to;
      while (
        nounEnd < clauseEnd &&
        (terms[nounEnd]!.tags.has('Noun') || terms[nounEnd]!.tags.has('Adjective')) &&
        !terms[nounEnd]!.tags.has('Pronoun')
      ) {
        nounEnd++;
        if (hasBreakAfter(terms[nounEnd - 1]!) || terms[nounEnd - 1]!.tags.has('Plural')) break;
      }
      if (nounEnd === entity.to) return undefined;
      return { wh: `how many ${phrase(context, terms, entity.to, nounEnd)}`, removeFrom: from, removeTo: nounEnd };
    }
    case 'number':
      return undefined;
  }
}

const CONNECTOR = /^(and|or|nor|&)$/i;
const NAME_TYPES = new Set<EntityType>(['person', 'place', 'organization', 'name']);

/**
 * True when the entity stands as a phrase of its own: not a modifier inside a noun phrase ("Pro Bowl
 * safety"), not part of a hyphenated word or of a list ("Danes, Norwegians and Swedes"), and, for
 * names, written with capitals.
 */
export function isStandalone(sentence: Sentence, entity: Entity): boolean {
  const { terms } = sentence;
  const last = terms[entity.to - 1]!;
  const before = terms[entity.from - 1];
  const after = terms[entity.to];
  const isName = (term: Term | undefined) => term !== undefined && /^[\p{Lu}]/u.test(term.text);
  if (/^[-\u2010\u2011]/.test(last.after) || (before && /[-\u2010\u2011]$/.test(before.after))) return false;
  if (entity.type !== 'count' && after && !/[,;:()]/.test(last.after) && after.tags.has('Noun') && !after.tags.has('Pronoun')) return false;
  // "Node 20", "Windows 10": a name with its number is one name.
  if (NAME_TYPES.has(entity.type) && after && !/[,;:()]/.test(last.after) && after.tags.has('Value')) return false;
  if (before && !/[,;:()]/.test(before.after) && (before.tags.has('Adjective') || (before.tags.has('Noun') && !before.tags.has('Pronoun')) || before.tags.has('Possessive'))) return false;
  if ((after && CONNECTOR.test(after.text)) || (before && CONNECTOR.test(before.text))) return false;
  // One item of a list of names: "Tesla, Oliver Lodge and ...".
  if ((before && /,/.test(before.after) && isName(before)) || (after && /,/.test(last.after) && isName(after))) return false;
  // Part of a longer name: "Upati Institute of Dramatic Arts".
  if ((after?.text === 'of' && isName(terms[entity.to + 1])) || (before?.text === 'of' && isName(terms[entity.from - 2]))) return false;
  if (NAME_TYPES.has(entity.type)) {
    for (let i = entity.from; i < entity.to; i++) {
      const word = terms[i]!.text;
      if (!/^[\p{Lu}\d]/u.test(word) && !/^(de|la|le|von|van|der|of|the|du|da|del|di|al)$/i.test(word)) return false;
    }
  }
  return true;
}

/** A finite verb in the remainder means a second clause ("... and continued trading"): too complex. */
function hasSecondFiniteVerb(sentence: Sentence, from: number, to: number): boolean {
  const { terms } = sentence;
  for (let i = from; i < to; i++) {
    const term = terms[i]!;
    if (!term.tags.has('Verb') || term.tags.has('Participle') || term.tags.has('Gerund') || term.tags.has('Infinitive')) continue;
    if (!term.tags.has('PastTense') && !term.tags.has('PresentTense')) continue;
    const previous = terms[i - 1]?.text.toLowerCase();
    if (previous === 'to' || terms[i - 1]?.tags.has('Auxiliary') || terms[i - 1]?.tags.has('Modal')) continue;
    return true;
  }
  return false;
}

/**
 * Cloze translation by rules (after Lewis et al., 2019): the answer is taken out of its clause and the
 * clause is put into question order behind a wh-phrase chosen by the answer's type. Returns the
 * question, or undefined when the sentence does not parse simply enough for a fluent question.
 */
export function whQuestion(context: PassageContext, sentence: Sentence, entity: Entity): string | undefined {
  const clause = mainClause(sentence);
  if (!clause) return undefined;
  const { terms } = sentence;
  const { verb, subjectFrom, end } = clause;
  if (entity.to > end || !isStandalone(sentence, entity)) return undefined;
  if (terms.slice(verb.from, verb.to).some((term) => term.tags.has('ProperNoun'))) return undefined;
  if (hasSecondFiniteVerb(sentence, verb.to, end) || hasSecondFiniteVerb(sentence, subjectFrom, verb.from)) return undefined;
  const plan = planWh(context, sentence, entity, end);
  if (!plan) return undefined;
  // Lower-case the subject's first word only when it is known to be an ordinary word.
  const subjectIsName = !context.isCommonWord(terms[subjectFrom]!.text);

  // The answer is (or counts) the whole subject: "Rollo led the raiders" → "Who led the raiders?"
  if (entity.from >= subjectFrom && entity.to <= verb.from) {
    const lead = terms.slice(subjectFrom, entity.from);
    if (lead.some((term) => !term.tags.has('Determiner'))) return undefined;
    const subjectRest = terms.slice(plan.removeTo, verb.from);
    const isPercentOf = entity.type === 'percent' && subjectRest[0]?.text.toLowerCase() === 'of';
    if (plan.removeTo !== verb.from && !isPercentOf) return undefined;
    if (plan.wh.startsWith('when') || plan.wh === 'where') return undefined;
    return finishQuestion([plan.wh, phrase(context, terms, plan.removeTo, verb.from), phrase(context, terms, verb.from, end)]);
  }

  // The answer comes after the verb, in the same clause, with no comma between.
  if (plan.removeFrom < verb.to) {
    // ... or in a fronted phrase that is nothing but the answer: "In 1066, the Normans ..."
    const fronted = subjectFrom > 0 && plan.removeFrom === 0 && plan.removeTo === subjectFrom;
    if (!fronted) return undefined;
    const subject = lowerFirstWord(phrase(context, terms, subjectFrom, verb.from), subjectIsName);
    const body = invert(context, sentence, clause, subject, phrase(context, terms, verb.to, end));
    return body ? finishQuestion([plan.wh, body]) : undefined;
  }
  if (terms.slice(verb.to, plan.removeFrom).some(hasBreakAfter)) return undefined;
  // A preposition left behind ("Who was it led by?") reads well only at the end of the question.
  const strandsPreposition = terms[plan.removeFrom - 1]?.tags.has('Preposition') === true && plan.removeFrom - 1 >= verb.to;
  if (strandsPreposition && plan.removeTo < end) return undefined;
  const subject = lowerFirstWord(phrase(context, terms, subjectFrom, verb.from), subjectIsName);
  const rest = [phrase(context, terms, verb.to, plan.removeFrom), phrase(context, terms, plan.removeTo, end)].filter(Boolean).join(' ');
  const body = invert(context, sentence, clause, subject, rest);
  return body ? finishQuestion([plan.wh, body]) : undefined;
}

/** Answer range of an entity in the file; for a count, the number alone. */
export function entityRange(sentence: Sentence, entity: Entity): { start: number; end: number } {
  return { start: sentence.terms[entity.from]!.start, end: sentence.terms[entity.to - 1]!.end };
}

/** Wh-questions whose answers are dates, amounts, counts, people, places and names found in sentences. */
export const entityGenerator: Generator = {
  name: 'entity',
  generate(context) {
    const candidates: Candidate[] = [];
    for (const sentence of context.sentences()) {
      for (const entity of findEntities(sentence)) {
        const question = whQuestion(context, sentence, entity);
        if (!question) continue;
        const { start, end } = entityRange(sentence, entity);
        if (!context.isClean(start, end)) continue;
        const words = question.split(' ').length;
        if (words > 25) continue;
        const confidence = BASE_CONFIDENCE[entity.type] - (words > 20 ? 0.15 : words > 14 ? 0.05 : 0);
        candidates.push({ question, start, end, confidence });
      }
    }
    return candidates;
  },
};

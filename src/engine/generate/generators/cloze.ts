import { collapse } from '../formats/blocks';
import { findEntities, type Entity, type EntityType, type Sentence, type Term } from '../nlp';
import type { Candidate, Generator } from './context';

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

/** Answer range of an entity in the file; for a count, the number alone. */
export function entityRange(sentence: Sentence, entity: Entity): { start: number; end: number } {
  return { start: sentence.terms[entity.from]!.start, end: sentence.terms[entity.to - 1]!.end };
}

const BLANK = '_____';
const MAX_SENTENCE_CHARS = 300;

/**
 * Cloze statements: the sentence with one entity blanked out (not a question; only when asked for by
 * name). Useful as extra training signal, as in unsupervised QA, and easy to review.
 */
export const clozeGenerator: Generator = {
  name: 'cloze',
  generate(context) {
    const candidates: Candidate[] = [];
    for (const sentence of context.sentences()) {
      if (sentence.end - sentence.start > MAX_SENTENCE_CHARS) continue;
      for (const entity of findEntities(sentence)) {
        if (entity.type === 'number' || !isStandalone(sentence, entity)) continue;
        const { start, end } = entityRange(sentence, entity);
        if (!context.isClean(start, end)) continue;
        const statement = collapse(`${context.plain(sentence.start, start)} ${BLANK} ${context.plain(end, sentence.end)}`).replace(/\s+([,.;:!?])/g, '$1');
        candidates.push({ question: statement, start, end, confidence: 0.3 });
      }
    }
    return candidates;
  },
};

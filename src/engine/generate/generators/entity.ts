import type { EntityType } from '../nlp';
import type { Generator } from './context';
import { passageQuestions } from './wh';

const ENTITY_KINDS = new Set<string>(['person', 'place', 'organization', 'date', 'duration', 'money', 'percent', 'count', 'number', 'name'] satisfies EntityType[]);

/**
 * Wh-questions whose answers are the names, dates, amounts and counts of a passage's sentences: the
 * answer is taken out of its clause (as subject, object, or the phrase after a preposition) and the
 * clause is put into question order behind a wh-phrase chosen by the answer's type (after Heilman and
 * Smith's rule-based question generation, and the cloze translation of Lewis et al., 2019).
 */
export const entityGenerator: Generator = {
  name: 'entity',
  generate(context) {
    return passageQuestions(context)
      .filter((question) => ENTITY_KINDS.has(question.kind))
      .map(({ question, start, end, confidence }) => ({ question, start, end, confidence }));
  },
};

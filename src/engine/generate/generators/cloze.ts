import { collapse } from '../formats/blocks';
import { findEntities } from '../nlp';
import { entityRange, isStandalone } from './entity';
import type { Candidate, Generator } from './context';

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

import type { Generator } from './context';
import { passageQuestions } from './wh';

/**
 * Wh-questions whose answers are the plain noun phrases of a passage's sentences (subjects, objects,
 * the phrase after a preposition): "Who led the team in sacks?", "What did Luther publish in 1520?".
 */
export const phraseGenerator: Generator = {
  name: 'phrase',
  generate(context) {
    return passageQuestions(context)
      .filter((question) => question.kind === 'phrase')
      .map(({ question, start, end, confidence }) => ({ question, start, end, confidence }));
  },
};

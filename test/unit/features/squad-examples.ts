import { readFileSync } from 'node:fs';
import type { QaExample, SquadDataset } from '../../../src/engine/squad/types';

/** A tiny local flattening of a SQuAD JSON file into examples (tests only; the real reader is squad/dataset.ts). */
export function readExamples(file: string): QaExample[] {
  const dataset = JSON.parse(readFileSync(file, 'utf8')) as SquadDataset;
  const examples: QaExample[] = [];
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs) {
      for (const qa of paragraph.qas) {
        examples.push({
          id: String(qa.id),
          question: qa.question,
          context: paragraph.context,
          answers: qa.answers.map((a) => ({ text: a.text, start: a.answer_start })),
          isImpossible: qa.is_impossible === true,
          title: article.title,
        });
      }
    }
  }
  return examples;
}

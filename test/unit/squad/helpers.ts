/**
 * Test helpers: temporary folders, the shared XQuAD file, and deterministic ways to derive perturbed
 * predictions and a SQuAD v2.0-style variant from it (the expected scores of those were computed once
 * with the official scripts; see metrics-xquad.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

import type { SquadDataset } from '../../../src/engine/squad/types';

export const repoRoot = path.resolve(__dirname, '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const xquadPath = path.join(sharedDir, 'data/xquad-en/xquad.en.json');
export const covidQaPath = path.join(sharedDir, 'data/covid-qa/covidQA.json');

const createdDirs: string[] = [];
after(() => {
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spantune-squad-'));
  createdDirs.push(dir);
  return dir;
}

export function loadXquad(): SquadDataset {
  return JSON.parse(readFileSync(xquadPath, 'utf8')) as SquadDataset;
}

/** Every question of a dataset, in file order. */
export function questionsOf(dataset: SquadDataset) {
  return dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas));
}

/**
 * Predictions made from the first gold answer of question i by rule i mod 10: 0 missing, 1 upper-cased
 * with a final period, 2 last word dropped, 3 "the " + answer + " and more", 4 empty, 5 words reversed,
 * otherwise the gold answer itself.
 */
export function perturbedPredictions(dataset: SquadDataset): Record<string, string> {
  const predictions: Record<string, string> = {};
  questionsOf(dataset).forEach((question, i) => {
    const gold = question.answers[0]?.text ?? '';
    const words = gold.split(' ');
    switch (i % 10) {
      case 0:
        return;
      case 1:
        predictions[question.id] = `${gold.toUpperCase()}.`;
        return;
      case 2:
        predictions[question.id] = words.length > 1 ? words.slice(0, -1).join(' ') : 'xyz';
        return;
      case 3:
        predictions[question.id] = `the ${gold} and more`;
        return;
      case 4:
        predictions[question.id] = '';
        return;
      case 5:
        predictions[question.id] = [...words].reverse().join(' ');
        return;
      default:
        predictions[question.id] = gold;
    }
  });
  return predictions;
}

/**
 * A SQuAD v2.0 variant of a v1.1 dataset: in the first paragraph of each article every second question
 * moves to the last paragraph of the next article, without answers and with "is_impossible": true
 * (its answers kept as plausible_answers), the way the data README suggests making unanswerable questions.
 */
export function v2Variant(dataset: SquadDataset): SquadDataset {
  const copy = JSON.parse(JSON.stringify(dataset)) as SquadDataset;
  copy.version = 'v2.0';
  for (const question of questionsOf(copy)) question.is_impossible = false;
  const moved: [number, SquadDataset['data'][number]['paragraphs'][number]['qas'][number]][] = [];
  copy.data.forEach((article, a) => {
    const first = article.paragraphs[0]!;
    const keep = [];
    for (const [j, question] of first.qas.entries()) {
      if (j % 2 === 1) moved.push([a, { ...question, plausible_answers: question.answers, answers: [], is_impossible: true }]);
      else keep.push(question);
    }
    first.qas = keep;
  });
  for (const [a, question] of moved) {
    const target = copy.data[(a + 1) % copy.data.length]!;
    target.paragraphs[target.paragraphs.length - 1]!.qas.push(question);
  }
  return copy;
}

/**
 * Predictions for the v2.0 variant, by question index i in file order: unanswerable questions get ""
 * when i is even and "some guess" otherwise; answerable ones the perturbation of perturbedPredictions
 * (but never missing: rule 0 gives the gold answer).
 */
export function v2Predictions(dataset: SquadDataset): Record<string, string> {
  const perturbed = perturbedPredictions(dataset);
  const predictions: Record<string, string> = {};
  questionsOf(dataset).forEach((question, i) => {
    if (question.answers.length === 0) predictions[question.id] = i % 2 === 0 ? '' : 'some guess';
    else predictions[question.id] = perturbed[question.id] ?? question.answers[0]!.text;
  });
  return predictions;
}

/**
 * A no-answer probability file's text for the v2.0 variant, built so that the best threshold lies
 * inside the range and many values tie. For question i (file order), by i mod 3: 0.7/0.8/0.9 when it
 * is unanswerable and predicted with a guess; 0.5/0.6/0.7 when unanswerable and predicted "" or when
 * its prediction is perturbed (rules 2 to 5); else 0.1/0.2/0.5; and the int 0 every 29th question.
 * Keys are written in `order` ('reversed': last question first).
 */
export function v2NaProbText(dataset: SquadDataset, predictions: Record<string, string>, order: 'file' | 'reversed' = 'reversed'): string {
  const entries = questionsOf(dataset).map((question, i) => {
    const unanswerable = question.answers.length === 0;
    const values =
      unanswerable && predictions[question.id] !== ''
        ? [0.7, 0.8, 0.9]
        : unanswerable || [2, 3, 4, 5].includes(i % 10)
          ? [0.5, 0.6, 0.7]
          : [0.1, 0.2, 0.5];
    const literal = i % 29 === 0 ? '0' : String(values[i % 3]);
    return `${JSON.stringify(question.id)}: ${literal}`;
  });
  if (order === 'reversed') entries.reverse();
  return `{${entries.join(', ')}}`;
}

/**
 * The metrics on real data: XQuAD-en (1,190 questions) against itself, against deterministic
 * perturbations, and as a SQuAD v2.0 variant (see helpers.ts for how each is built).
 *
 * The expected numbers were computed ONCE by running the official scripts (evaluate-v1.1.py and
 * evaluate-v2.0.py, under Python 3.11.7 and 3.13.0) on files written from these same helpers; they
 * are not produced by the code under test. The v2.0 F1 differs in the last digits between the two
 * Python versions because Python 3.12 made sum() compensated; both are checked.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { evaluateV1, evaluateV2, formatV1Json, formatV2Json, goldQuestions } from '../../../src/engine/squad/metrics';
import { readNaProbFile } from '../../../src/engine/squad/predictions-file';
import { loadXquad, perturbedPredictions, questionsOf, tempDir, v2NaProbText, v2Predictions, v2Variant } from './helpers';

const xquad = loadXquad();

describe('XQuAD-en, SQuAD v1.1 metric', () => {
  test('gold answers against themselves score 100/100', () => {
    const predictions = Object.fromEntries(questionsOf(xquad).map((q) => [q.id, q.answers[0]!.text]));
    const { result, missing } = evaluateV1(goldQuestions(xquad), predictions);
    assert.equal(missing.length, 0);
    assert.equal(formatV1Json(result), '{"exact_match": 100.0, "f1": 100.0}');
  });

  test('perturbed predictions give the official numbers', () => {
    const { result, missing } = evaluateV1(goldQuestions(xquad), perturbedPredictions(xquad));
    assert.equal(missing.length, 119);
    assert.equal(formatV1Json(result), '{"exact_match": 53.865546218487395, "f1": 71.19513408622078}');
  });
});

describe('XQuAD-en as SQuAD v2.0 (118 unanswerable questions)', () => {
  const dataset = v2Variant(xquad);
  const gold = goldQuestions(dataset);
  const predictions = v2Predictions(dataset);
  const dir = tempDir();
  const reversedFile = path.join(dir, 'na_reversed.json');
  const fileOrderFile = path.join(dir, 'na_file_order.json');
  writeFileSync(reversedFile, v2NaProbText(dataset, predictions, 'reversed'));
  writeFileSync(fileOrderFile, v2NaProbText(dataset, predictions, 'file'));

  const head = (f1: string, hasAnsF1: string) =>
    `{\n  "exact": 62.26890756302521,\n  "f1": ${f1},\n  "total": 1190,\n  "HasAns_exact": 63.526119402985074,\n  "HasAns_f1": ${hasAnsF1},\n  "HasAns_total": 1072,\n  "NoAns_exact": 50.847457627118644,\n  "NoAns_f1": 50.847457627118644,\n  "NoAns_total": 118`;

  test('Python 3.12+ sums (the default)', () => {
    assert.equal(formatV2Json(evaluateV2(gold, predictions)), `${head('78.87679858725336', '81.96211783473088')}\n}`);
  });

  test('Python 3.11 sums', () => {
    assert.equal(formatV2Json(evaluateV2(gold, predictions, { legacySum: true })), `${head('78.87679858725326', '81.96211783473079')}\n}`);
  });

  test('best thresholds, with the no-answer file in reversed order', async () => {
    const naProbs = await readNaProbFile(reversedFile);
    const expected = `${head('78.87679858725336', '81.96211783473088')},\n  "best_exact": 66.30252100840336,\n  "best_exact_thresh": 0.7,\n  "best_f1": 81.90200867128672,\n  "best_f1_thresh": 0.7\n}`;
    assert.equal(formatV2Json(evaluateV2(gold, predictions, { naProbs })), expected);
  });

  test('the file order of tied probabilities changes best_exact, as in the official script', async () => {
    const naProbs = await readNaProbFile(fileOrderFile);
    const result = Object.fromEntries(evaluateV2(gold, predictions, { naProbs }).map(([k, v]) => [k, v.value]));
    assert.equal(result.best_exact, 66.38655462184875);
    assert.equal(result.best_f1, 81.90200867128672);
  });

  test('na_prob_thresh 0.55', async () => {
    const naProbs = await readNaProbFile(reversedFile);
    const values = (legacySum: boolean) =>
      Object.fromEntries(evaluateV2(gold, predictions, { naProbs, naProbThresh: 0.55, legacySum }).map(([k, v]) => [k, v.value]));
    const modern = values(false);
    assert.equal(modern.exact, 65.29411764705883);
    assert.equal(modern.f1, 71.36456735443389);
    assert.equal(modern.HasAns_exact, 61.75373134328358);
    assert.equal(modern.HasAns_f1, 68.49238353710477);
    assert.equal(modern.NoAns_exact, 97.45762711864407);
    assert.equal(values(true).f1, 71.36456735443387);
  });
});

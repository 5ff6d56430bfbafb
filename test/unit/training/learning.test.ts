/**
 * Does training learn? (1) From random weights, a tiny BERT trained through the engine process on a
 * generated span task (contexts of facts such as "The capital of Norway is Oslo.") reaches EM ≥ 90 on
 * held-out contexts within a few minutes of this machine's CPU. (2) On XQuAD, the training loss of the
 * fixture model falls over a dozen steps.
 *
 * The first is the slow test of this folder: about a minute on ONNX Runtime on 2 busy cores (1,200
 * steps of 8 windows). Eight epochs, because how soon the model finds the task varies with the smallest
 * numeric difference (measured over seeds 5-7: EM 61-100 after four epochs, 99.5-100 from the fifth on).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import {
  EventRouter,
  FACT_WORDS,
  eventsOf,
  factVocabulary,
  generateFactDataset,
  quickSettings,
  sourceEngine,
  tempDir,
  tinyBertDir,
  writeJson,
  writeRandomBertCheckpoint,
  xquadSubset,
} from '../../support/training-fixtures';

const dir = tempDir('learning');
const router = new EventRouter();
const client = sourceEngine(router.dispatch);
after(() => client.dispose());

describe('the generated span task', () => {
  test('entities are single WordPieces of bert-base-uncased and of the small vocabulary; answers sit at answer_start', async () => {
    const modelDir = await writeRandomBertCheckpoint(path.join(dir, 'vocab-check'), { hidden: 8, layers: 1, heads: 1, intermediate: 8, seed: 1, vocabulary: factVocabulary() });
    for (const tokenizer of [await loadTokenizer(tinyBertDir), await loadTokenizer(modelDir)]) {
      const split = FACT_WORDS.filter((word) => tokenizer.encode(word).ids.length !== 1);
      assert.deepEqual(split, []);
    }
    const small = await loadTokenizer(modelDir);
    const dataset = generateFactDataset({ seed: 4, contexts: 30, factsPerContext: 3 });
    for (const { context, qas } of dataset.data[0]!.paragraphs) {
      assert.ok(!small.encode(context).ids.includes(1), `no [UNK] in ${context}`);
      for (const { answers } of qas) assert.equal(context.slice(answers[0]!.answer_start, answers[0]!.answer_start + answers[0]!.text.length), answers[0]!.text);
    }
  });

  test('a random-weight tiny BERT learns it: EM ≥ 90 on held-out contexts', async () => {
    const modelDir = await writeRandomBertCheckpoint(path.join(dir, 'random-bert'), {
      hidden: 64, layers: 2, heads: 2, intermediate: 256, maxPositions: 64, seed: 3, vocabulary: factVocabulary(),
    });
    // 1,200 questions about 600 contexts; validation on 200 questions about 100 other contexts.
    const trainFile = writeJson(path.join(dir, 'facts-train.json'), generateFactDataset({ seed: 11, contexts: 600, factsPerContext: 3, idPrefix: 'train' }));
    const validationFile = writeJson(path.join(dir, 'facts-validation.json'), generateFactDataset({ seed: 12, contexts: 100, factsPerContext: 3, idPrefix: 'validation' }));
    const started = Date.now();
    const job = router.train(client, quickSettings({
      modelDir, trainFile, validationFile, outputDir: path.join(dir, 'facts-run'),
      epochs: 8, batchSize: 8, learningRate: 2e-3, warmupRatio: 0.1, maxSeqLength: 64, seed: 5,
    }));
    const end = await job.done;
    const seconds = (Date.now() - started) / 1000;
    assert.equal(end.type, 'finished', JSON.stringify(end));
    const evals = eventsOf(job.events, 'eval');
    process.stderr.write(`learning test: EM ${evals.map((e) => `${e.scores.exact} (step ${e.step})`).join(" → ")} in ${seconds.toFixed(0)} s\n`);
    const base = evals[0]!;
    const final = evals.at(-1)!;
    assert.equal(base.step, 0);
    assert.ok(base.scores.exact < 20, `random weights: EM ${base.scores.exact}`);
    assert.equal(final.scores.total, 200);
    assert.ok(final.scores.exact >= 90, `after ${final.step} steps (${seconds.toFixed(0)} s): EM ${final.scores.exact}, F1 ${final.scores.f1}`);
    // The model card reports both scores (a validation set of more than 100 questions once broke it).
    const card = readFileSync(path.join(dir, 'facts-run', 'README.md'), 'utf8');
    assert.ok(card.includes(`| after fine-tuning | ${final.scores.exact.toFixed(2)} | ${final.scores.f1.toFixed(2)} |`), 'the card shows the final EM and F1');
  });
});

describe('XQuAD', () => {
  test('the training loss of the fixture model falls', async () => {
    const trainFile = writeJson(path.join(dir, 'xquad-train.json'), xquadSubset(2));
    const validationFile = writeJson(path.join(dir, 'xquad-validation.json'), xquadSubset(1, { skipParagraphs: 2, questionsPerParagraph: 3 }));
    const job = router.train(client, quickSettings({
      trainFile, validationFile, outputDir: path.join(dir, 'xquad-run'), maxSteps: 12, batchSize: 8, learningRate: 1e-3, maxSeqLength: 128, docStride: 48,
    }));
    const end = await job.done;
    assert.equal(end.type, 'finished', JSON.stringify(end));
    const losses = eventsOf(job.events, 'step').map((e) => e.loss);
    assert.equal(losses.length, 12);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const first = mean(losses.slice(0, 4));
    const last = mean(losses.slice(-4));
    assert.ok(last < first - 0.2, `mean loss of steps 1–4 ${first.toFixed(3)}, of steps 9–12 ${last.toFixed(3)}: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  });
});

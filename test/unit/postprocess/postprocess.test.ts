/**
 * Post-processing on hand-made logits. The window below is
 *   0 [CLS] | 1 what | 2 capital | 3 [SEP] | 4 Paris | 5 is | 6 the | 7 capital | 8 of | 9 France | 10 . | 11 [SEP]
 * over the context "Paris is the capital of France." with start logits 6 on a QUESTION token (1), 5 on
 * Paris, 4 on France, and end logits 6 on France and 3 on Paris (everything else 0, CLS 1 and 2).
 * By hand: Paris..France = 5 + 6 = 11, France..France = 10, Paris..Paris = 8, then [is|the|capital|of]..France
 * = 6, then Paris..[is|the|capital|of|.] = 5, France.. "." = 4.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { UserError } from '../../../src/engine/errors';
import {
  NonFiniteLogitsError,
  nbestJson,
  nullOddsJson,
  postprocessQaPredictions,
  predictionsJson,
  topIndices,
  type PostprocessFeature,
} from '../../../src/engine/qa/postprocess';

const context = 'Paris is the capital of France.';
const example = { id: 'q', context };
const contextOffsets: [number, number][] = [
  [0, 5],
  [6, 8],
  [9, 12],
  [13, 20],
  [21, 23],
  [24, 30],
  [30, 31],
];
const window: PostprocessFeature = { exampleIndex: 0, offsets: [null, null, null, null, ...contextOffsets, null] };
const start = Float32Array.from([1, 6, 0, 0, 5, 0, 0, 0, 0, 4, 0, 0]);
const end = Float32Array.from([2, 0, 0, 0, 3, 0, 0, 0, 0, 6, 0, 0]);

describe('postprocessQaPredictions, SQuAD v1.1', () => {
  test('the best span over the context; question tokens are never an answer', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end]);
    assert.equal(prediction!.text, 'Paris is the capital of France');
    assert.deepEqual([prediction!.start, prediction!.end], [0, 30]);
    assert.equal(prediction!.isNull, false);
    assert.equal(prediction!.scoreDiff, undefined);
    assert.deepEqual(
      prediction!.nbest.slice(0, 8).map((a) => [a.text, a.score]),
      [
        ['Paris is the capital of France', 11],
        ['France', 10],
        ['Paris', 8],
        ['is the capital of France', 6],
        ['the capital of France', 6],
        ['capital of France', 6],
        ['of France', 6],
        ['Paris is', 5],
      ],
    );
    assert.equal(prediction!.nbest.length, 20);
  });

  test('every candidate text is the context between its offsets', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end]);
    for (const answer of prediction!.nbest) assert.equal(answer.text, context.slice(answer.start, answer.end));
  });

  test('probabilities are the softmax over the n-best scores', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], { nBestSize: 3 });
    // Only starts {1, 4, 9} and ends {9, 4, 0} are paired: Paris..France 11, France 10, Paris 8.
    const exps = [11, 10, 8].map((s) => Math.exp(s - 11));
    const total = exps.reduce((a, b) => a + b);
    assert.deepEqual(
      prediction!.nbest.map((a) => a.probability),
      exps.map((e) => e / total),
    );
  });

  test('n_best_size limits the start and end positions that are paired', () => {
    // Top-2 starts: 1 (question) and 4; top-2 ends: 9 and 4 → only Paris..France and Paris.
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], { nBestSize: 2 });
    assert.deepEqual(prediction!.nbest.map((a) => a.text), ['Paris is the capital of France', 'Paris']);
  });

  test('max_answer_length counts tokens', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], { maxAnswerLength: 5 });
    // Paris..France is 6 tokens; France (1 token) wins.
    assert.equal(prediction!.text, 'France');
    const [six] = postprocessQaPredictions([example], [window], [start], [end], { maxAnswerLength: 6 });
    assert.equal(six!.text, 'Paris is the capital of France');
  });

  test('a start token without its maximal context in this window is skipped', () => {
    const masked = { ...window, tokenIsMaxContext: window.offsets.map((_, i) => i !== 4) };
    const [prediction] = postprocessQaPredictions([example], [masked], [start], [end]);
    assert.equal(prediction!.text, 'France');
    assert.ok(prediction!.nbest.every((a) => a.start !== 0));
  });

  test('answers from all windows compete by score', () => {
    // A second window covering "capital of France." with a stronger "capital of France" (9 + 7 = 16).
    const second: PostprocessFeature = { exampleIndex: 0, offsets: [null, null, null, null, ...contextOffsets.slice(3), null] };
    const start2 = Float32Array.from([0, 0, 0, 0, 9, 0, 0, 0, 0]);
    const end2 = Float32Array.from([0, 0, 0, 0, 0, 0, 7, 0, 0]);
    const [prediction] = postprocessQaPredictions([example], [window, second], [start, start2], [end, end2]);
    assert.equal(prediction!.text, 'capital of France');
    assert.equal(prediction!.nbest[0]!.featureIndex, 1);
    assert.equal(prediction!.nbest[0]!.score, 16);
    assert.equal(prediction!.nbest[1]!.text, 'Paris is the capital of France');
  });

  test('when no top pair is valid, every span is searched instead of answering a made-up text', () => {
    // With n_best_size 1 the only start is the question token 1; Hugging Face would answer "empty".
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], { nBestSize: 1 });
    assert.equal(prediction!.text, 'Paris is the capital of France');
    assert.equal(prediction!.nbest.length, 1);
  });

  test('a context without tokens gives the empty answer', () => {
    const empty: PostprocessFeature = { exampleIndex: 0, offsets: [null, null, null] };
    const [prediction] = postprocessQaPredictions([{ id: 'e', context: '' }], [empty], [[1, 2, 3]], [[1, 2, 3]]);
    assert.deepEqual([prediction!.text, prediction!.start, prediction!.end, prediction!.nbest.length], ['', 0, 0, 0]);
  });

  test('examples keep their order and their own windows', () => {
    const other = { id: 'r', context: 'Rome' };
    const romeWindow: PostprocessFeature = { exampleIndex: 1, offsets: [null, [0, 4], null] };
    const predictions = postprocessQaPredictions([example, other], [romeWindow, window], [[0, 1, 0], start], [[0, 1, 0], end]);
    assert.deepEqual(predictionsJson(predictions), { q: 'Paris is the capital of France', r: 'Rome' });
  });
});

describe('postprocessQaPredictions, SQuAD v2.0', () => {
  const v2 = { version2WithNegative: true };

  test('the null candidate joins the n-best with score CLS start + end; a span wins when it scores higher', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], v2);
    assert.equal(prediction!.nullScore, 3);
    assert.equal(prediction!.scoreDiff, 3 - 11);
    assert.equal(prediction!.text, 'Paris is the capital of France');
    const nullAnswer = prediction!.nbest.find((a) => a.isNull)!;
    assert.deepEqual([nullAnswer.text, nullAnswer.start, nullAnswer.end, nullAnswer.score], ['', 0, 0, 3]);
    // 20 candidates, null included among them (its score 3 beats the zero-score spans).
    assert.equal(prediction!.nbest.length, 20);
  });

  test('predict "" when null score − best span score exceeds the threshold', () => {
    const strongNull = Float32Array.from(start);
    strongNull[0] = 10; // null = 10 + 2 = 12 > 11
    const [prediction] = postprocessQaPredictions([example], [window], [strongNull], [end], v2);
    assert.deepEqual([prediction!.text, prediction!.isNull, prediction!.start, prediction!.end], ['', true, 0, 0]);
    assert.equal(prediction!.scoreDiff, 1);
    assert.equal(prediction!.nbest[0]!.isNull, true);
    const [tolerant] = postprocessQaPredictions([example], [window], [strongNull], [end], { ...v2, nullScoreDiffThreshold: 1 });
    assert.equal(tolerant!.text, 'Paris is the capital of France'); // 1 is not > 1
  });

  test('the null candidate is appended when it falls out of the n best', () => {
    const [prediction] = postprocessQaPredictions([example], [window], [start], [end], { ...v2, nBestSize: 2 });
    assert.deepEqual(prediction!.nbest.map((a) => [a.text, a.score]), [
      ['Paris is the capital of France', 11],
      ['Paris', 8],
      ['', 3],
    ]);
    const total = [11, 8, 3].map((s) => Math.exp(s - 11)).reduce((a, b) => a + b);
    assert.equal(prediction!.nbest[2]!.probability, Math.exp(3 - 11) / total);
  });

  test('the null score is the smallest CLS score over the windows', () => {
    const second: PostprocessFeature = { exampleIndex: 0, offsets: [null, null, null, null, ...contextOffsets.slice(3), null] };
    const start2 = Float32Array.from([0.25, 0, 0, 0, 1, 0, 0, 0, 0]);
    const end2 = Float32Array.from([0.25, 0, 0, 0, 0, 0, 1, 0, 0]);
    const [prediction] = postprocessQaPredictions([example], [window, second], [start, start2], [end, end2], v2);
    assert.equal(prediction!.nullScore, 0.5);
    assert.equal(prediction!.nbest.find((a) => a.isNull)!.featureIndex, 1);
    assert.deepEqual(nullOddsJson([prediction!]), { q: 0.5 - 11 });
  });

  test('no span at all: "" with null odds against a zero score', () => {
    const empty: PostprocessFeature = { exampleIndex: 0, offsets: [null, null] };
    const [prediction] = postprocessQaPredictions([{ id: 'e', context: 'x' }], [empty], [[1, 0]], [[2, 0]], v2);
    assert.deepEqual([prediction!.text, prediction!.isNull, prediction!.scoreDiff, prediction!.nbest.length], ['', true, 3, 1]);
  });
});

describe('output files and helpers', () => {
  test('nbestJson uses Hugging Face keys and adds character offsets', () => {
    const predictions = postprocessQaPredictions([example], [window], [start], [end], { nBestSize: 1, version2WithNegative: true });
    const json = nbestJson(predictions);
    assert.deepEqual(Object.keys(json.q![0]!), ['start_logit', 'end_logit', 'text', 'probability', 'offsets']);
    assert.deepEqual(json.q![0]!.offsets, [0, 30]);
  });

  test('topIndices: largest first, ties by lower position', () => {
    assert.deepEqual(topIndices([1, 3, 3, 0, 2], 4), [1, 2, 4, 0]);
  });

  test('inconsistent inputs are programming errors', () => {
    assert.throws(() => postprocessQaPredictions([example], [window], [start], []), /1 features but 1 start and 0 end/);
    assert.throws(() => postprocessQaPredictions([example], [{ ...window, exampleIndex: 3 }], [start], [end]), /points at example 3/);
    assert.throws(() => postprocessQaPredictions([example, { id: 'z', context: 'z' }], [window], [start], [end]), /"z" has no features/);
    const outside: PostprocessFeature = { exampleIndex: 0, offsets: [null, [0, 99]] };
    assert.throws(() => postprocessQaPredictions([example], [outside], [[0, 1]], [[0, 1]]), /outside the context/);
  });
});

describe('non-finite logits', () => {
  for (const [which, bad] of [['start', NaN], ['end', Infinity], ['start', -Infinity]] as const) {
    test(`a ${bad} ${which} logit, even outside the context, is refused rather than turned into an answer`, () => {
      const logits = { start: Float32Array.from(start), end: Float32Array.from(end) };
      logits[which][11] = bad; // the final [SEP]: no span could ever use it
      assert.throws(
        () => postprocessQaPredictions([example], [window, window], [start, logits.start], [end, logits.end], { version2WithNegative: true }),
        (error: unknown) => {
          assert.ok(error instanceof NonFiniteLogitsError && error instanceof UserError);
          assert.equal(error.message, `the model gave a non-finite ${which} logit (${bad} at token 11 of window 1, question "q"): its weights or the backend computing it are broken, so no answer is given`);
          return true;
        },
      );
    });
  }
});

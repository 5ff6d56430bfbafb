/**
 * Turns start/end logits of the windows (features) of each example into answers that are exact
 * substrings of the original context, with the semantics of Hugging Face's `postprocess_qa_predictions`
 * (examples/pytorch/question-answering/utils_qa.py):
 * - per window, the `nBestSize` highest start and end positions are paired; pairs outside the context
 *   (offset null or past the offsets), with end < start, longer than `maxAnswerLength` tokens, or whose
 *   start lacks its maximal context (when the window says so) are dropped; score = start + end logit;
 * - the candidates of all windows of an example are sorted by score (stable, so equal scores keep
 *   window order) and cut to `nBestSize`; probabilities are the softmax over the kept scores;
 * - SQuAD v2.0: the null answer's score is the SMALLEST CLS score (start[cls] + end[cls]) over the
 *   example's windows; it joins the candidates (and is appended if it fell out of the n best); the
 *   answer is "" when null score − (best non-null start + end logit) > `nullScoreDiffThreshold`, and
 *   that difference is the question's null odds.
 *
 * Deliberate differences, for answers that always come from the context:
 * - Where Hugging Face finds no valid span among the top pairs it answers the literal text "empty"
 *   (not in the context). Here every valid span of the example is searched instead, so a question is
 *   answered by a real span whenever its context has one. If the context has no token at all, the
 *   answer is "" (v1 and v2), and in v2 the null odds are the null score minus 0 (the score Hugging
 *   Face gives its "empty" stand-in).
 * - Scores and probabilities are computed in float64 (a sum of two float32 logits is exact there);
 *   Hugging Face adds float32 numpy scalars, which can reorder candidates whose scores differ by less
 *   than a float32 rounding step.
 * - Ties between equal logits are broken by the lower token position first (numpy's argsort leaves
 *   that order unspecified).
 */
import { UserError } from '../errors';
import type { QaExample } from '../squad/types';

/** Logits that hold NaN or ±Infinity: the model (its weights, or the backend computing it) is broken. */
export class NonFiniteLogitsError extends UserError {}

/** What post-processing needs from a window (feature); the feature builder's type fits it structurally. */
export interface PostprocessFeature {
  /** Index of the window's example in the examples list. */
  exampleIndex: number;
  /** Per token position: its [start, end) character span in the example's context; null outside the context. */
  offsets: readonly (readonly [number, number] | null)[];
  /** Per token position (optional): true when this window gives the token its maximal context. */
  tokenIsMaxContext?: readonly boolean[] | null;
}

export interface PostprocessOptions {
  /** SQuAD v2.0: consider the null answer. Default false. */
  version2WithNegative?: boolean;
  /** Default 20. */
  nBestSize?: number;
  /** In tokens; default 30. */
  maxAnswerLength?: number;
  /** Default 0. */
  nullScoreDiffThreshold?: number;
  /** Position of the CLS token, whose logits score the null answer. Default 0. */
  clsIndex?: number;
}

/** One candidate answer. */
export interface NbestAnswer {
  /** context.slice(start, end); "" for the null answer. */
  text: string;
  start: number;
  end: number;
  /** startLogit + endLogit. */
  score: number;
  startLogit: number;
  endLogit: number;
  /** Softmax of `score` over the n-best list. */
  probability: number;
  /** True for SQuAD v2.0's null (no answer) candidate. */
  isNull: boolean;
  /** The window the candidate comes from. */
  featureIndex: number;
}

export interface ExamplePrediction {
  id: string;
  /** The answer: context.slice(start, end), or "" when the question is judged unanswerable (then start = end = 0). */
  text: string;
  start: number;
  end: number;
  /** SQuAD v2.0 chose the null answer. */
  isNull: boolean;
  /** Best candidates first. */
  nbest: NbestAnswer[];
  /** v2.0: the null answer's score (the smallest CLS score over the windows). */
  nullScore?: number;
  /** v2.0: null score − best non-null score (Hugging Face's null odds, `scores_diff_json`). */
  scoreDiff?: number;
}

interface Candidate {
  start: number;
  end: number;
  score: number;
  startLogit: number;
  endLogit: number;
  isNull: boolean;
  featureIndex: number;
}

/** Refuses a NaN or infinite logit: any span "chosen" from it would be garbage presented as an answer. */
function checkFinite(logits: ArrayLike<number>, which: 'start' | 'end', featureIndex: number, exampleId: string): void {
  for (let t = 0; t < logits.length; t++) {
    if (!Number.isFinite(logits[t])) {
      throw new NonFiniteLogitsError(
        `the model gave a non-finite ${which} logit (${logits[t]} at token ${t} of window ${featureIndex}, question ${JSON.stringify(exampleId)}): ` +
          'its weights or the backend computing it are broken, so no answer is given',
      );
    }
  }
}

/** Positions of the `count` largest values, largest first; equal values by lower position first. */
export function topIndices(values: ArrayLike<number>, count: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b]! - values[a]! || a - b);
  return order.slice(0, count);
}

function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function spanOf(feature: PostprocessFeature, start: number, end: number, maxAnswerLength: number): [number, number] | null {
  const { offsets, tokenIsMaxContext } = feature;
  if (start >= offsets.length || end >= offsets.length) return null;
  const first = offsets[start];
  const last = offsets[end];
  if (!first || !last) return null;
  if (end < start || end - start + 1 > maxAnswerLength) return null;
  if (tokenIsMaxContext && tokenIsMaxContext[start] !== true) return null;
  return [first[0], last[1]];
}

function candidatesOfFeature(
  feature: PostprocessFeature,
  featureIndex: number,
  startLogits: ArrayLike<number>,
  endLogits: ArrayLike<number>,
  starts: readonly number[],
  ends: readonly number[],
  maxAnswerLength: number,
): Candidate[] {
  const candidates: Candidate[] = [];
  for (const start of starts) {
    for (const end of ends) {
      const span = spanOf(feature, start, end, maxAnswerLength);
      if (!span) continue;
      const startLogit = startLogits[start]!;
      const endLogit = endLogits[end]!;
      candidates.push({ start: span[0], end: span[1], score: startLogit + endLogit, startLogit, endLogit, isNull: false, featureIndex });
    }
  }
  return candidates;
}

function allPositions(length: number): number[] {
  return Array.from({ length }, (_, i) => i);
}

/**
 * Post-processes the logits of every window into one prediction per example (in example order).
 * `startLogits[i]` and `endLogits[i]` belong to `features[i]`.
 */
export function postprocessQaPredictions(
  examples: readonly Pick<QaExample, 'id' | 'context'>[],
  features: readonly PostprocessFeature[],
  startLogits: readonly ArrayLike<number>[],
  endLogits: readonly ArrayLike<number>[],
  options: PostprocessOptions = {},
): ExamplePrediction[] {
  const version2 = options.version2WithNegative ?? false;
  const nBestSize = options.nBestSize ?? 20;
  const maxAnswerLength = options.maxAnswerLength ?? 30;
  const threshold = options.nullScoreDiffThreshold ?? 0;
  const cls = options.clsIndex ?? 0;
  if (startLogits.length !== features.length || endLogits.length !== features.length) {
    throw new Error(`postprocess: ${features.length} features but ${startLogits.length} start and ${endLogits.length} end logit rows`);
  }
  const featuresOfExample: number[][] = examples.map(() => []);
  features.forEach((feature, i) => {
    const list = featuresOfExample[feature.exampleIndex];
    if (!list) throw new Error(`postprocess: feature ${i} points at example ${feature.exampleIndex}, but there are ${examples.length} examples`);
    if (startLogits[i]!.length !== endLogits[i]!.length) throw new Error(`postprocess: feature ${i} has start and end logits of different lengths`);
    checkFinite(startLogits[i]!, 'start', i, examples[feature.exampleIndex]!.id);
    checkFinite(endLogits[i]!, 'end', i, examples[feature.exampleIndex]!.id);
    list.push(i);
  });

  return examples.map((example, exampleIndex) => {
    const featureIndices = featuresOfExample[exampleIndex]!;
    if (featureIndices.length === 0) throw new Error(`postprocess: example ${JSON.stringify(example.id)} has no features`);

    let nullCandidate: Candidate | null = null;
    let candidates: Candidate[] = [];
    for (const f of featureIndices) {
      const starts = startLogits[f]!;
      const ends = endLogits[f]!;
      const nullScore = starts[cls]! + ends[cls]!;
      if (nullCandidate === null || nullCandidate.score > nullScore) {
        nullCandidate = { start: 0, end: 0, score: nullScore, startLogit: starts[cls]!, endLogit: ends[cls]!, isNull: true, featureIndex: f };
      }
      candidates.push(
        ...candidatesOfFeature(features[f]!, f, starts, ends, topIndices(starts, nBestSize), topIndices(ends, nBestSize), maxAnswerLength),
      );
    }
    if (candidates.length === 0) {
      // No valid pair among the top positions: search every pair rather than answer a made-up text.
      for (const f of featureIndices) {
        const length = startLogits[f]!.length;
        candidates.push(...candidatesOfFeature(features[f]!, f, startLogits[f]!, endLogits[f]!, allPositions(length), allPositions(length), maxAnswerLength));
      }
    }
    for (const candidate of candidates) {
      if (candidate.start < 0 || candidate.end < candidate.start || candidate.end > example.context.length) {
        throw new Error(`postprocess: feature ${candidate.featureIndex} maps a token outside the context of ${JSON.stringify(example.id)}`);
      }
    }
    if (version2) candidates.push(nullCandidate!);
    candidates.sort((a, b) => b.score - a.score); // stable: equal scores keep window and pair order
    const kept = candidates.slice(0, nBestSize);
    if (version2 && !kept.some((c) => c.isNull)) kept.push(nullCandidate!);

    const probabilities = kept.length > 0 ? softmax(kept.map((c) => c.score)) : [];
    const nbest: NbestAnswer[] = kept.map((c, k) => ({
      text: c.isNull ? '' : example.context.slice(c.start, c.end),
      start: c.start,
      end: c.end,
      score: c.score,
      startLogit: c.startLogit,
      endLogit: c.endLogit,
      probability: probabilities[k]!,
      isNull: c.isNull,
      featureIndex: c.featureIndex,
    }));

    const bestSpan = nbest.find((answer) => !answer.isNull && answer.text !== '');
    const none = { text: '', start: 0, end: 0 };
    if (!version2) {
      const best = bestSpan ?? none;
      return { id: example.id, text: best.text, start: best.start, end: best.end, isNull: false, nbest };
    }
    const nullScore = nullCandidate!.score;
    const scoreDiff = bestSpan ? nullScore - bestSpan.startLogit - bestSpan.endLogit : nullScore - 0;
    const chooseNull = !bestSpan || scoreDiff > threshold;
    const answer = chooseNull ? none : bestSpan;
    return { id: example.id, text: answer.text, start: answer.start, end: answer.end, isNull: chooseNull, nbest, nullScore, scoreDiff };
  });
}

/** The official predictions file: {id: answer text}. */
export function predictionsJson(predictions: readonly ExamplePrediction[]): Record<string, string> {
  return Object.fromEntries(predictions.map((p) => [p.id, p.text]));
}

/** Hugging Face's nbest_predictions.json entries: start_logit, end_logit, text, probability (plus character offsets). */
export function nbestJson(predictions: readonly ExamplePrediction[]): Record<string, { start_logit: number; end_logit: number; text: string; probability: number; offsets: [number, number] }[]> {
  return Object.fromEntries(
    predictions.map((p) => [
      p.id,
      p.nbest.map((a) => ({ start_logit: a.startLogit, end_logit: a.endLogit, text: a.text, probability: a.probability, offsets: [a.start, a.end] as [number, number] })),
    ]),
  );
}

/** Hugging Face's null_odds.json (v2.0): {id: null score − best non-null score}. */
export function nullOddsJson(predictions: readonly ExamplePrediction[]): Record<string, number> {
  return Object.fromEntries(predictions.filter((p) => p.scoreDiff !== undefined).map((p) => [p.id, p.scoreDiff!]));
}

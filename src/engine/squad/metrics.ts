/**
 * The official SQuAD evaluation, v1.1 and v2.0, re-implemented from their definitions with Python's
 * string semantics (str.lower, str.split, re's Unicode \b, ASCII string.punctuation), so that the
 * numbers are the ones the official scripts print.
 */
import { UserError } from '../errors';
import type { SquadDataset } from './types';

/** Python's string.punctuation (ASCII only). */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** re.sub(r"\b(a|an|the)\b", " ", s) on a str: a "word" character is a Unicode letter or number, or "_". */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** The characters Python's str.split() splits on (str.isspace): not U+200B or U+FEFF, but U+001C-U+001F and U+0085. */
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's " ".join(s.split()) split: runs of whitespace, no empty tokens. */
function pythonSplit(text: string): string[] {
  return text.split(PYTHON_WHITESPACE).filter((token) => token !== '');
}

/**
 * The official normalize_answer: lower-case (JS toLowerCase matches Python's str.lower, final sigma
 * included, for every character both know), drop ASCII punctuation, replace the articles a/an/the by a
 * space, then collapse whitespace.
 */
export function normalizeAnswer(text: string): string {
  const lowered = text.toLowerCase();
  const noPunctuation = lowered.replace(PUNCTUATION, '');
  const noArticles = noPunctuation.replace(ARTICLES, ' ');
  return pythonSplit(noArticles).join(' ');
}

/** The normalized answer's tokens. */
export function answerTokens(text: string): string[] {
  return pythonSplit(normalizeAnswer(text));
}

/** Number of tokens two bags share (Counter & Counter). */
function sharedTokenCount(a: string[], b: string[]): number {
  const counts = new Map<string, number>();
  for (const token of a) counts.set(token, (counts.get(token) ?? 0) + 1);
  let shared = 0;
  for (const token of b) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      shared++;
      counts.set(token, left - 1);
    }
  }
  return shared;
}

function harmonicF1(shared: number, predictionLength: number, goldLength: number): number {
  const precision = (1.0 * shared) / predictionLength;
  const recall = (1.0 * shared) / goldLength;
  return (2 * precision * recall) / (precision + recall);
}

/** v1.1 exact_match_score: 1 when the normalized strings are equal. */
export function exactMatchV1(prediction: string, gold: string): number {
  return normalizeAnswer(prediction) === normalizeAnswer(gold) ? 1 : 0;
}

/** v1.1 f1_score: 0 when no token is shared (so two empty answers score 0 here, unlike v2.0). */
export function f1V1(prediction: string, gold: string): number {
  const predictionTokens = answerTokens(prediction);
  const goldTokens = answerTokens(gold);
  const shared = sharedTokenCount(predictionTokens, goldTokens);
  if (shared === 0) return 0;
  return harmonicF1(shared, predictionTokens.length, goldTokens.length);
}

/**
 * A score with its Python type: the v2.0 script mixes ints (compute_exact, compute_f1's 0/1 cases) and
 * floats, and Python's sum() adds the two differently (see pythonSum).
 */
export interface PyScore {
  value: number;
  isInt: boolean;
}

const int = (value: number): PyScore => ({ value, isInt: true });
const pyFloat = (value: number): PyScore => ({ value, isInt: false });

/** v2.0 compute_exact (an int). */
export function exactV2(gold: string, prediction: string): PyScore {
  return int(normalizeAnswer(gold) === normalizeAnswer(prediction) ? 1 : 0);
}

/** v2.0 compute_f1: when either side has no tokens, int 1 if both have none, else int 0. */
export function f1V2(gold: string, prediction: string): PyScore {
  const goldTokens = answerTokens(gold);
  const predictionTokens = answerTokens(prediction);
  if (goldTokens.length === 0 || predictionTokens.length === 0) {
    return int(goldTokens.length === predictionTokens.length ? 1 : 0);
  }
  const shared = sharedTokenCount(goldTokens, predictionTokens);
  if (shared === 0) return int(0);
  return pyFloat(harmonicF1(shared, predictionTokens.length, goldTokens.length));
}

/** Python's max(): the first of the largest. */
function pyMax(scores: PyScore[]): PyScore {
  return scores.reduce((best, score) => (score.value > best.value ? score : best));
}

/**
 * Python's sum() as CPython 3.12 and 3.13 compute it: ints exactly until the first float, then floats
 * with Neumaier compensation and later ints added plainly. Python 3.11 and older add plainly
 * throughout (`legacy`), which can change the last digit of a v2.0 F1.
 */
export function pythonSum(scores: Iterable<PyScore>, legacy = false): number {
  let total = 0;
  let compensation = 0;
  let floatPhase = false;
  for (const { value, isInt } of scores) {
    if (legacy || (!floatPhase && isInt)) {
      total += value;
    } else if (!floatPhase) {
      total += value;
      floatPhase = true;
    } else if (isInt) {
      total += value;
    } else {
      const next = total + value;
      compensation += Math.abs(total) >= Math.abs(value) ? total - next + value : value - next + total;
      total = next;
    }
  }
  return compensation !== 0 && Number.isFinite(compensation) ? total + compensation : total;
}

/** One question as the metrics see it: its id and gold answer texts, in file order. */
export interface GoldQuestion {
  id: string;
  answers: readonly string[];
}

/** The gold questions of a dataset, in the order the official scripts iterate over them. */
export function goldQuestions(dataset: SquadDataset): GoldQuestion[] {
  return dataset.data.flatMap((article) =>
    article.paragraphs.flatMap((paragraph) => paragraph.qas.map((qa) => ({ id: qa.id, answers: qa.answers.map((a) => a.text) }))),
  );
}

/** Predictions keyed by question id (the official predictions file). */
export type Predictions = Readonly<Record<string, string>>;

function hasPrediction(predictions: Predictions, id: string): boolean {
  return Object.prototype.hasOwnProperty.call(predictions, id);
}

export interface V1Result {
  exact_match: number;
  f1: number;
}

/**
 * The official v1.1 evaluate(): a question missing from the predictions scores 0 (the script prints
 * "Unanswered question ID will receive score 0." on stderr; the ids are returned in `missing`).
 */
export function evaluateV1(gold: readonly GoldQuestion[], predictions: Predictions): { result: V1Result; missing: string[] } {
  let exactMatch = 0;
  let f1 = 0;
  let total = 0;
  const missing: string[] = [];
  for (const question of gold) {
    total += 1;
    if (!hasPrediction(predictions, question.id)) {
      missing.push(question.id);
      continue;
    }
    if (question.answers.length === 0) {
      throw new UserError(`question ${JSON.stringify(question.id)} has no gold answers; the SQuAD v1.1 metric needs at least one (use the v2.0 metric)`);
    }
    const prediction = predictions[question.id]!;
    exactMatch += Math.max(...question.answers.map((answer) => exactMatchV1(prediction, answer)));
    f1 += Math.max(...question.answers.map((answer) => f1V1(prediction, answer)));
  }
  if (total === 0) throw new UserError('there are no questions to evaluate');
  return { result: { exact_match: (100.0 * exactMatch) / total, f1: (100.0 * f1) / total }, missing };
}

/** A no-answer probability as read from the file: Python keeps ints and floats apart when printing. */
export interface NaProb {
  value: number;
  isInteger?: boolean;
}

export interface V2Options {
  /** Model estimates of P(no answer) per id, in file order (the order matters for best_*_thresh ties). */
  naProbs?: ReadonlyMap<string, NaProb>;
  /** Predict "" when the no-answer probability exceeds this; default 1.0. */
  naProbThresh?: number;
  /** Sum as Python 3.11 and older do (plain additions) instead of Python 3.12+'s compensated sum(). */
  legacySum?: boolean;
}

/** One value of the v2.0 result: a number and whether Python prints it as an int. */
export interface OfficialNumber {
  value: number;
  isInteger: boolean;
}

/** The v2.0 result as an ordered list of keys (the order of the script's OrderedDict). */
export type V2Result = [key: string, value: OfficialNumber][];

function float(value: number): OfficialNumber {
  return { value, isInteger: false };
}

function evalBlock(exact: Map<string, PyScore>, f1: Map<string, PyScore>, ids: readonly string[], legacySum: boolean): [string, OfficialNumber][] {
  const exactSum = pythonSum(ids.map((id) => exact.get(id)!), legacySum);
  const f1Sum = pythonSum(ids.map((id) => f1.get(id)!), legacySum);
  const total = ids.length;
  return [
    ['exact', float((100.0 * exactSum) / total)],
    ['f1', float((100.0 * f1Sum) / total)],
    ['total', { value: total, isInteger: true }],
  ];
}

/** find_best_thresh: sweep the threshold over the no-answer probabilities in ascending (stable) order. */
function findBestThreshold(
  predictions: Predictions,
  scores: Map<string, PyScore>,
  naProbs: ReadonlyMap<string, NaProb>,
  hasAnswer: ReadonlyMap<string, boolean>,
): { best: number; threshold: OfficialNumber } {
  let noAnswerCount = 0;
  for (const has of hasAnswer.values()) if (!has) noAnswerCount++;
  let current = noAnswerCount;
  let best = current;
  let threshold: OfficialNumber = { value: 0.0, isInteger: false };
  const ordered = [...naProbs.entries()].sort((a, b) => a[1].value - b[1].value);
  for (const [id, probability] of ordered) {
    const score = scores.get(id);
    if (score === undefined) continue;
    const diff = hasAnswer.get(id) ? score.value : predictions[id] ? -1 : 0;
    current += diff;
    if (current > best) {
      best = current;
      threshold = { value: probability.value, isInteger: probability.isInteger ?? false };
    }
  }
  return { best: (100.0 * best) / scores.size, threshold };
}

/**
 * The official v2.0 evaluation. Like the script, it cannot score a predictions file that lacks some
 * question (the script fails there), so that is a UserError naming the missing ids.
 */
export function evaluateV2(gold: readonly GoldQuestion[], predictions: Predictions, options: V2Options = {}): V2Result {
  const naProbThresh = options.naProbThresh ?? 1.0;
  const hasAnswer = new Map<string, boolean>();
  for (const question of gold) hasAnswer.set(question.id, question.answers.length > 0);
  if (hasAnswer.size === 0) throw new UserError('there are no questions to evaluate');

  const missing = gold.filter((q) => !hasPrediction(predictions, q.id)).map((q) => q.id);
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((id) => JSON.stringify(id)).join(', ');
    throw new UserError(
      `the predictions lack ${missing.length} of ${hasAnswer.size} questions (${shown}${missing.length > 5 ? ', …' : ''}); the SQuAD v2.0 metric needs a prediction ("" for no answer) for every question`,
    );
  }

  const exactRaw = new Map<string, PyScore>();
  const f1Raw = new Map<string, PyScore>();
  for (const question of gold) {
    let golds = question.answers.filter((answer) => normalizeAnswer(answer) !== '');
    if (golds.length === 0) golds = [''];
    const prediction = predictions[question.id]!;
    exactRaw.set(question.id, pyMax(golds.map((answer) => exactV2(answer, prediction))));
    f1Raw.set(question.id, pyMax(golds.map((answer) => f1V2(answer, prediction))));
  }

  const naProbs = options.naProbs ?? new Map(Object.keys(predictions).map((id) => [id, { value: 0.0 }]));
  for (const id of exactRaw.keys()) {
    if (!naProbs.has(id)) throw new UserError(`the no-answer probabilities lack question ${JSON.stringify(id)}`);
  }
  const applyThreshold = (scores: Map<string, PyScore>) => {
    const result = new Map<string, PyScore>();
    for (const [id, score] of scores) result.set(id, naProbs.get(id)!.value > naProbThresh ? pyFloat(hasAnswer.get(id) ? 0.0 : 1.0) : score);
    return result;
  };
  const exact = applyThreshold(exactRaw);
  const f1 = applyThreshold(f1Raw);

  const ids = [...exact.keys()];
  const legacySum = options.legacySum ?? false;
  const result: V2Result = evalBlock(exact, f1, ids, legacySum);
  const hasAnswerIds = [...hasAnswer].filter(([, has]) => has).map(([id]) => id);
  const noAnswerIds = [...hasAnswer].filter(([, has]) => !has).map(([id]) => id);
  if (hasAnswerIds.length > 0) for (const [key, value] of evalBlock(exact, f1, hasAnswerIds, legacySum)) result.push([`HasAns_${key}`, value]);
  if (noAnswerIds.length > 0) for (const [key, value] of evalBlock(exact, f1, noAnswerIds, legacySum)) result.push([`NoAns_${key}`, value]);
  if (options.naProbs) {
    const bestExact = findBestThreshold(predictions, exactRaw, naProbs, hasAnswer);
    const bestF1 = findBestThreshold(predictions, f1Raw, naProbs, hasAnswer);
    result.push(['best_exact', float(bestExact.best)], ['best_exact_thresh', bestExact.threshold]);
    result.push(['best_f1', float(bestF1.best)], ['best_f1_thresh', bestF1.threshold]);
  }
  return result;
}

/** A v2.0 result as a plain object (keys in the official order). */
export function v2ResultToObject(result: V2Result): Record<string, number> {
  return Object.fromEntries(result.map(([key, { value }]) => [key, value]));
}

/** A number as Python's repr/json.dumps writes it: 100.0, 1e-05, 1.5e+16, 3 (an int), NaN, Infinity. */
export function formatPythonNumber(value: number, isInteger = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (isInteger) return BigInt(Math.trunc(value)).toString();
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // Shortest round-trip digits (the same as Python's repr), then Python's layout rules.
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${fraction}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const integerPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fractionPart = digits.slice(exponent + 1) || '0';
  return `${sign}${integerPart}.${fractionPart}`;
}

/** The v1.1 script's output line: json.dumps(result). */
export function formatV1Json(result: V1Result): string {
  return `{"exact_match": ${formatPythonNumber(result.exact_match)}, "f1": ${formatPythonNumber(result.f1)}}`;
}

/** The v2.0 script's output: json.dumps(out_eval, indent=2). */
export function formatV2Json(result: V2Result): string {
  const lines = result.map(([key, { value, isInteger }]) => `  ${JSON.stringify(key)}: ${formatPythonNumber(value, isInteger)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

import type { GeneratedPair } from './pairs';
import type { Passage } from './passages';
import { normalizeAnswer as normalizeText } from '../squad/metrics';
import type { Rng } from '../train/rng';

/** An unanswerable pair: a question moved to another passage of its document that lacks its answer. */
export interface NegativePair {
  pair: GeneratedPair;
  /** Index of the passage the question came from, and of the one it is asked of. */
  from: number;
  to: number;
}

/**
 * Picks `count` questions and, for each, a passage of the same document that does not contain its
 * answer (neither as written nor normalised). Returns fewer when no such passage exists.
 */
export function makeNegatives(passages: Passage[], pairsByPassage: GeneratedPair[][], count: number, rng: Rng): NegativePair[] {
  if (count <= 0) return [];
  const byPath = new Map<string, number[]>();
  passages.forEach((passage, index) => byPath.set(passage.path, [...(byPath.get(passage.path) ?? []), index]));
  const normalizedPassages = new Map<number, string>();
  const normalizedOf = (index: number) => {
    if (!normalizedPassages.has(index)) normalizedPassages.set(index, ` ${normalizeText(passages[index]!.text)} `);
    return normalizedPassages.get(index)!;
  };
  const sources = rng.shuffle(pairsByPassage.flatMap((pairs, from) => pairs.map((pair) => ({ pair, from }))));
  const negatives: NegativePair[] = [];
  const used = new Set<string>();
  for (const { pair, from } of sources) {
    if (negatives.length >= count) break;
    const siblings = (byPath.get(passages[from]!.path) ?? []).filter((index) => index !== from);
    const answer = normalizeText(pair.answer);
    for (const to of rng.shuffle(siblings)) {
      const key = `${to}\u0000${normalizeText(pair.question)}`;
      if (used.has(key) || passages[to]!.text.includes(pair.answer) || (answer !== '' && normalizedOf(to).includes(` ${answer} `))) continue;
      used.add(key);
      negatives.push({ pair, from, to });
      break;
    }
  }
  return negatives;
}

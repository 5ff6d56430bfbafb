/**
 * Held-out validation split by context: every question about one paragraph lands on the same side, so
 * validation measures reading unseen paragraphs, not recalling answers seen in training.
 */
import { UserError } from '../errors';
import type { QaExample } from '../squad/types';
import type { Rng } from './rng';

export interface ContextSplit {
  train: QaExample[];
  validation: QaExample[];
}

/**
 * Holds out about `fraction` of the examples (whole paragraphs, chosen in a seeded random order) for
 * validation. Paragraphs are grouped by their exact context text (whatever their title, so the same
 * paragraph filed under two titles cannot straddle the split). Both sides get at least one paragraph;
 * each side keeps the input order.
 */
export function splitByContext(examples: readonly QaExample[], fraction: number, rng: Rng): ContextSplit {
  if (!Number.isFinite(fraction) || fraction <= 0 || fraction >= 1) {
    throw new UserError(`validation split must be a fraction between 0 and 1 (exclusive), got ${fraction}`);
  }
  const groups = new Map<string, number[]>();
  for (const [index, example] of examples.entries()) {
    const members = groups.get(example.context);
    if (members === undefined) groups.set(example.context, [index]);
    else members.push(index);
  }
  if (groups.size < 2) {
    throw new UserError(
      `cannot hold out a validation split by context: the training data has ${examples.length} question(s) ` +
        `about ${groups.size} distinct paragraph(s), and at least 2 are needed; give a validation file instead`,
    );
  }
  const order = rng.shuffle([...groups.values()]);
  const target = Math.max(1, Math.round(fraction * examples.length));
  const heldOut = new Set<number>();
  // Whole paragraphs until the target is reached, always leaving one paragraph for training.
  for (const members of order.slice(0, order.length - 1)) {
    if (heldOut.size >= target) break;
    for (const index of members) heldOut.add(index);
  }
  const train: QaExample[] = [];
  const validation: QaExample[] = [];
  for (const [index, example] of examples.entries()) (heldOut.has(index) ? validation : train).push(example);
  return { train, validation };
}

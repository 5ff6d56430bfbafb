/**
 * `--dump-features`: the exact training inputs and batching of a run as JSON lines, so that an outside
 * tool (e.g. a PyTorch script) can replay the same training and compare losses step by step.
 * One line per training feature, then one per optimizer step. Streamed to a temporary file in the
 * target folder and renamed into place at the end, so a reader never sees a half-written dump.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import type { BatchPlan } from './batches';

export interface DumpFeature {
  inputIds: ArrayLike<number>;
  tokenTypeIds: ArrayLike<number>;
  attentionMask: ArrayLike<number>;
  startPosition: number;
  endPosition: number;
}

/** The feature line, field names as in Hugging Face's datasets. */
export function featureLine(index: number, feature: DumpFeature): string {
  return JSON.stringify({
    type: 'feature',
    index,
    input_ids: Array.from(feature.inputIds),
    token_type_ids: Array.from(feature.tokenTypeIds),
    attention_mask: Array.from(feature.attentionMask),
    start_position: feature.startPosition,
    end_position: feature.endPosition,
  });
}

/** The batch line of one optimizer step; `step` is 0-based, as in BatchPlan and the schedule. */
export function batchLine(step: number, microBatches: number[][]): string {
  return JSON.stringify({ type: 'batch', step, micro_batches: microBatches });
}

/** Writes every feature (indexed in iteration order) and every step of `plan` to `file`. */
export async function writeFeatureDump(file: string, features: Iterable<DumpFeature> | AsyncIterable<DumpFeature>, plan: BatchPlan): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const stream = createWriteStream(temporary, { encoding: 'utf8' });
  const failure = new Promise<never>((_, reject) => stream.once('error', reject));
  failure.catch(() => undefined); // observed below; avoid an unhandled rejection meanwhile
  const write = async (line: string) => {
    // Respect backpressure: a dump of SQuAD-size training is hundreds of megabytes.
    if (!stream.write(line + '\n')) await Promise.race([once(stream, 'drain'), failure]);
  };
  try {
    let index = 0;
    for await (const feature of features) await write(featureLine(index++, feature));
    if (index !== plan.featureCount) throw new Error(`feature dump: got ${index} features, the batch plan has ${plan.featureCount}`);
    // Steps are numbered from 1 here, as in the training log (step k = the k-th optimizer update).
    for (const step of plan.steps()) await write(batchLine(step.step + 1, step.microBatches));
    stream.end();
    await Promise.race([once(stream, 'finish'), failure]);
    await rename(temporary, file);
  } catch (error) {
    stream.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
}

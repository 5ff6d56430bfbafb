/**
 * `--dump-features`: the exact training inputs and batching of a run as JSON lines, so that an outside
 * tool (e.g. a PyTorch script) can replay the same training and compare losses step by step.
 * One line per training feature, then one per optimizer step. Streamed to a temporary file in the
 * target folder, flushed and renamed into place at the end, so a reader never sees a half-written dump.
 */
import { AtomicFileWriter } from '../fs/atomic';
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
  const writer = await AtomicFileWriter.open(file);
  try {
    let index = 0;
    // Awaiting each write bounds the memory: a dump of SQuAD-size training is hundreds of megabytes.
    for await (const feature of features) await writer.write(featureLine(index++, feature) + '\n');
    if (index !== plan.featureCount) throw new Error(`feature dump: got ${index} features, the batch plan has ${plan.featureCount}`);
    // Steps are numbered from 1 here, as in the training log (step k = the k-th optimizer update).
    for (const step of plan.steps()) await writer.write(batchLine(step.step + 1, step.microBatches) + '\n');
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
}

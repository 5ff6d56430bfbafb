/**
 * The training loss of BertForQuestionAnswering / DistilBertForQuestionAnswering and its gradient, as
 * Hugging Face computes it: positions are clamped to [0, S], a position equal to S is ignored
 * (`ignored_index = start_logits.size(1)`, `CrossEntropyLoss(ignore_index=ignored_index)`), each
 * cross-entropy is the mean over the positions kept, and the loss is (start + end) / 2.
 *
 * Written with ReduceLogSumExp, GatherElements and Exp rather than LogSoftmax and OneHot, which have
 * no WebGPU kernels: so on that provider every float operation stays on the GPU.
 */
import { FLOAT, INT64, type GraphBuilder, type Value } from './graph';

export interface CrossEntropySaved {
  logits: Value;
  /** log Σ exp(logits) of each row, [B, 1]. */
  logSumExp: Value;
  /** The target of each row (0 where ignored), int64 [B, 1]. */
  target: Value;
  /** 1 for the rows counted, 0 for the ignored, [B, 1]. */
  kept: Value;
  /** How many rows are counted (a scalar). */
  keptCount: Value;
}

/** Mean cross-entropy of `logits` [B, S] against int64 `positions` [B], with HF's clamping and ignore_index = S. */
export function crossEntropy(g: GraphBuilder, logits: Value, positions: Value, hint: string): { loss: Value; saved: CrossEntropySaved } {
  const seqLength = g.shape(logits, 1, 2, `${hint}_ignored_index`); // [S]
  const clamped = g.max(g.min(positions, seqLength, `${hint}_clamped_high`), g.constant([0], [], INT64), `${hint}_clamped`);
  const ignored = g.unsqueeze(g.equal(clamped, seqLength, `${hint}_ignored`), [1], `${hint}_ignored_column`); // (B, 1)
  const target = g.where(ignored, g.constant([0], [], INT64), g.unsqueeze(clamped, [1], `${hint}_clamped_column`), `${hint}_target`);
  const kept = g.sub(g.scalar(1), g.cast(ignored, FLOAT, `${hint}_ignored_float`), `${hint}_kept`);
  const keptCount = g.reduceSum(kept, [0, 1], false, `${hint}_kept_count`);

  // −log softmax(logits)[target] = logsumexp(logits) − logits[target]
  const logSumExp = g.reduceLogSumExp(logits, [1], true, `${hint}_log_sum_exp`); // (B, 1)
  const picked = g.gatherElements(logits, target, 1, `${hint}_target_logit`); // (B, 1)
  const nll = g.mul(g.sub(logSumExp, picked, `${hint}_nll`), kept, `${hint}_nll_kept`);
  const loss = g.div(g.reduceSum(nll, [0, 1], false, `${hint}_nll_sum`), keptCount, hint);
  return { loss, saved: { logits, logSumExp, target, kept, keptCount } };
}

/**
 * d(logits) for upstream dLoss (a scalar):
 *   dlogits[b] = (softmax(logits[b]) − onehot(target[b])) · kept[b] / keptCount · dLoss
 */
export function crossEntropyBackward(g: GraphBuilder, saved: CrossEntropySaved, dLoss: Value, hint: string): Value {
  const probs = g.exp(g.sub(saved.logits, saved.logSumExp, `d_${hint}_log_probs`), `d_${hint}_probs`); // (B, S)
  const seqLength = g.reshape(g.shape(saved.logits, 1, 2, `d_${hint}_seq_length`), [], `d_${hint}_seq_length_scalar`);
  const positions = g.unsqueeze(g.range(seqLength, `d_${hint}_positions`), [0], `d_${hint}_positions_row`); // (1, S)
  const oneHot = g.cast(g.equal(positions, saved.target, `d_${hint}_is_target`), FLOAT, `d_${hint}_one_hot`); // (B, S)
  const rowScale = g.mul(g.div(saved.kept, saved.keptCount, `d_${hint}_row_share`), dLoss, `d_${hint}_row_scale`); // (B, 1)
  return g.mul(g.sub(probs, oneHot, `d_${hint}_residual`), rowScale, `d_${hint}`);
}

/**
 * The QA loss, (CE(start) + CE(end)) / 2, and the gradients of both logits for the loss scaled by
 * `lossWeight` (a scalar: the micro-batch's share of its step, as the trainer weighs micro-batches).
 */
export function questionAnsweringLoss(
  g: GraphBuilder,
  logits: { startLogits: Value; endLogits: Value },
  positions: { startPositions: Value; endPositions: Value },
  lossWeight: Value,
): { loss: Value; dStartLogits: Value; dEndLogits: Value } {
  return g.scope('loss', () => {
    const start = crossEntropy(g, logits.startLogits, positions.startPositions, 'start_loss');
    const end = crossEntropy(g, logits.endLogits, positions.endPositions, 'end_loss');
    const loss = g.div(g.add(start.loss, end.loss, 'total'), g.scalar(2), 'total_loss');
    // d(total_loss · weight)/d(start_loss) = weight / 2, and the same for the end loss.
    const dEach = g.div(lossWeight, g.scalar(2), 'd_each_loss');
    return { loss, dStartLogits: crossEntropyBackward(g, start.saved, dEach, 'start_loss'), dEndLogits: crossEntropyBackward(g, end.saved, dEach, 'end_loss') };
  });
}

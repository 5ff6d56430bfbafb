/** Official SQuAD scores of a TensorFlow.js model on examples, as the training loop reports them. */
import type { QaModel } from '../model/qa-model';
import type { SquadScores } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import { computeLogits } from '../qa/tfjs-logits';
import type { QaExample } from '../squad/types';
import { squadScores } from './scores';

export interface EvaluationOptions {
  batchSize: number;
  version2WithNegative: boolean;
  signal?: AbortSignal;
}

export async function evaluateModel(model: QaModel, examples: QaExample[], features: QaFeature[], options: EvaluationOptions): Promise<SquadScores> {
  const logits = await computeLogits(model, features, { batchSize: options.batchSize, signal: options.signal });
  return squadScores(examples, features, logits, options.version2WithNegative);
}

/** Official SQuAD scores of a model on examples, as the training loop reports them. */
import type { QaModel } from '../model/qa-model';
import type { SquadScores } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import { postprocessQaPredictions, predictionsJson } from '../qa/postprocess';
import { computeLogits } from '../qa/tfjs-logits';
import { evaluateV1, evaluateV2, v2ResultToObject, type GoldQuestion } from '../squad/metrics';
import type { QaExample } from '../squad/types';

export interface EvaluationOptions {
  batchSize: number;
  version2WithNegative: boolean;
  signal?: AbortSignal;
}

export async function evaluateModel(model: QaModel, examples: QaExample[], features: QaFeature[], options: EvaluationOptions): Promise<SquadScores> {
  const logits = await computeLogits(model, features, { batchSize: options.batchSize, signal: options.signal });
  const predictions = predictionsJson(postprocessQaPredictions(examples, features, logits.start, logits.end, { version2WithNegative: options.version2WithNegative }));
  const gold: GoldQuestion[] = examples.map((e) => ({ id: e.id, answers: e.answers.map((a) => a.text) }));
  if (!options.version2WithNegative) {
    const { result } = evaluateV1(gold, predictions);
    return { exact: result.exact_match, f1: result.f1, total: gold.length };
  }
  const scores = v2ResultToObject(evaluateV2(gold, predictions));
  return { ...scores, exact: scores.exact!, f1: scores.f1!, total: scores.total! };
}

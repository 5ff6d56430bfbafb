/** Official SQuAD scores of start/end logits on validation windows, as the training loop reports them (no runtime loaded here). */
import type { SquadScores } from '../process/protocol';
import type { QaFeature } from '../qa/features';
import { postprocessQaPredictions, predictionsJson } from '../qa/postprocess';
import { evaluateV1, evaluateV2, v2ResultToObject, type GoldQuestion } from '../squad/metrics';
import type { QaExample } from '../squad/types';

export function squadScores(
  examples: QaExample[],
  features: QaFeature[],
  logits: { start: readonly ArrayLike<number>[]; end: readonly ArrayLike<number>[] },
  version2WithNegative: boolean,
): SquadScores {
  const predictions = predictionsJson(postprocessQaPredictions(examples, features, logits.start, logits.end, { version2WithNegative }));
  const gold: GoldQuestion[] = examples.map((e) => ({ id: e.id, answers: e.answers.map((a) => a.text) }));
  if (!version2WithNegative) {
    const { result } = evaluateV1(gold, predictions);
    return { exact: result.exact_match, f1: result.f1, total: gold.length };
  }
  const scores = v2ResultToObject(evaluateV2(gold, predictions));
  return { ...scores, exact: scores.exact!, f1: scores.f1!, total: scores.total! };
}

import { UserError } from '../../engine/errors';
import { evaluationVersion, readSquadFile } from '../../engine/squad/dataset';
import { evaluateV1, evaluateV2, formatV1Json, formatV2Json, goldQuestions } from '../../engine/squad/metrics';
import { readNaProbFile, readPredictionsFile } from '../../engine/squad/predictions-file';
import { optionalNumber, parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune evaluate --data SQUAD.json --predictions PRED.json [--na-prob-file F] [--na-prob-thresh X]

Scores predictions ({"question id": "answer text"}) exactly as the official SQuAD evaluation scripts
do, and prints their JSON on stdout: SQuAD v2.0's keys (exact, f1, total, HasAns_*, NoAns_*, and
best_* with --na-prob-file) when the data has unanswerable questions or "is_impossible" fields,
otherwise SQuAD v1.1's {"exact_match", "f1"}.

Options:
  --data FILE                 the gold SQuAD v1.1 or v2.0 JSON file
  --predictions FILE          the predictions JSON file
  --na-prob-file FILE         v2.0: {"question id": probability of no answer}; adds best_exact, best_f1 and their thresholds
  --na-prob-thresh X          v2.0: predict "" when the no-answer probability exceeds X (default 1.0)
  --version-2-with-negative   use the v2.0 metric even when the data looks like v1.1
  --python-3-11-sum           add up v2.0 scores as Python 3.11 and older do (the last digit can differ from Python 3.12+)`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('evaluate', argv, {
    data: { type: 'string' },
    predictions: { type: 'string' },
    'na-prob-file': { type: 'string' },
    'na-prob-thresh': { type: 'string' },
    'version-2-with-negative': { type: 'boolean' },
    'python-3-11-sum': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataPath = requireString('evaluate', values, 'data');
  const predictionsPath = requireString('evaluate', values, 'predictions');
  const naProbThresh = optionalNumber('evaluate', values, 'na-prob-thresh');
  const naProbPath = values['na-prob-file'];

  // The metrics read only the answer texts, so misplaced answer_start values do not stop an evaluation.
  const dataset = await readSquadFile(dataPath, { purpose: 'evaluate', checkAnswerSpans: false });
  const predictions = await readPredictionsFile(predictionsPath);
  const gold = goldQuestions(dataset);
  const version = values['version-2-with-negative'] ? '2.0' : evaluationVersion(dataset);

  if (version === '1.1') {
    if (naProbPath !== undefined || naProbThresh !== undefined) {
      throw new UserError(
        `spantune evaluate: --na-prob-file and --na-prob-thresh belong to the SQuAD v2.0 metric, but ${dataPath} has no unanswerable questions; add --version-2-with-negative to use it anyway`,
      );
    }
    if (dataset.version !== undefined && dataset.version !== '1.1') {
      process.stderr.write(`Evaluation expects v-1.1, but got dataset with v-${String(dataset.version)}\n`);
    }
    const { result, missing } = evaluateV1(gold, predictions);
    for (const id of missing) process.stderr.write(`Unanswered question ${id} will receive score 0.\n`);
    process.stdout.write(`${formatV1Json(result)}\n`);
    return;
  }
  const naProbs = naProbPath === undefined ? undefined : await readNaProbFile(naProbPath);
  const result = evaluateV2(gold, predictions, { naProbs, naProbThresh, legacySum: values['python-3-11-sum'] });
  process.stdout.write(`${formatV2Json(result)}\n`);
}

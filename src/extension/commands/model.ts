/** Evaluate Model (Select Base Model lives in hub.ts). */
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import type { PredictionOutput } from '../../engine/qa/predict';
import { flattenExamples } from '../../engine/squad/dataset';
import { evaluateV2, goldQuestions, v2ResultToObject } from '../../engine/squad/metrics';
import type { DatasetStore } from '../dataset-store';
import { plural } from '../logic/plural';
import { extensionPredictSettings } from '../logic/predict-settings';
import { buildTrainingSets } from '../logic/workspace-dataset';
import { output } from '../output';
import { readSettings } from '../settings';
import { baseModelDir, requireTrust, type TrainingController } from '../training/controller';
import type { Engine } from '../training/engine';

/** Scores the active model (or the base model) on the dataset's validation questions with the official SQuAD v2.0 metric. */
export async function evaluateModel(store: DatasetStore, engine: Engine, controller: TrainingController): Promise<Record<string, number> | undefined> {
  requireTrust('Evaluation');
  const s = readSettings();
  const { validation } = buildTrainingSets(store.dataset, { includeUnreviewed: s.includeUnreviewed, validationFraction: s.validationSplit });
  const examples = flattenExamples(validation);
  if (examples.length === 0) throw new UserError('No validation questions: put some questions in the validation split (Dataset panel) or raise spantune.validationSplit');
  const modelDir = controller.activeModel() ?? baseModelDir(store.folder);
  const name = await controller.modelName(modelDir);
  const questions = plural(examples.length, 'validation question');
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SpanTune: evaluating ${name} on ${questions}` }, async () => {
    const prediction = (await engine.get('answering').predict(extensionPredictSettings(modelDir, examples, s))) as PredictionOutput;
    const predictions = Object.fromEntries(prediction.predictions.map((p) => [p.id, p.text]));
    return v2ResultToObject(evaluateV2(goldQuestions(validation), predictions));
  });
  output().info(`Evaluation of ${name} (${modelDir}): ${JSON.stringify(result)}`);
  void vscode.window.showInformationMessage(`SpanTune: ${name} on ${questions}: EM ${result.exact?.toFixed(1)}, F1 ${result.f1?.toFixed(1)}`);
  return result;
}

/**
 * How well a (trained) demo model answers the demo's questions, each asked about its whole document
 * as "Ask a Question about This File" asks it: `node --import tsx scripts/demo/check-answers.ts
 * MODEL_DIR`. Prints the misses and a JSON summary by split.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runPrediction } from '../../src/engine/qa/predict';
import { extensionPredictSettings } from '../../src/extension/logic/predict-settings';
import { readDemoQuestions } from './dataset';
import { demoWorkspaceDir } from './paths';
import { demoSettings } from './workspace';

async function main(modelDir: string): Promise<void> {
  const settings = demoSettings();
  const questions = readDemoQuestions();
  const examples = questions.map((q, i) => ({ id: String(i), question: q.question, context: readFileSync(path.join(demoWorkspaceDir, q.file), 'utf8'), answers: [], isImpossible: false }));
  // Asked as the QA panel asks it, with the demo workspace's window settings.
  const choices = { maxSeqLength: settings['spantune.maxSeqLength'] as number, docStride: settings['spantune.docStride'] as number };
  const output = await runPrediction(extensionPredictSettings(modelDir, examples, choices, 5));
  const summary: Record<string, { right: number; total: number }> = {};
  for (const prediction of output.predictions) {
    const question = questions[Number(prediction.id)]!;
    const kind = question.unanswerable ? 'unanswerable' : (question.split ?? 'train');
    const right = question.unanswerable ? prediction.isNull : !prediction.isNull && prediction.text === question.answer;
    summary[kind] ??= { right: 0, total: 0 };
    summary[kind].total++;
    if (right) summary[kind].right++;
    else console.error(`${kind}: ${question.question} → ${prediction.isNull ? '(no answer)' : JSON.stringify(prediction.text)}, not ${JSON.stringify(question.answer)}`);
  }
  console.log(JSON.stringify({ backend: output.backend, ...summary }));
}

main(path.resolve(process.argv[2] ?? '')).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

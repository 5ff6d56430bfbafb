import { UserError } from '../../engine/errors';
import { runPrediction } from '../../engine/qa/predict';
import { nbestJson, nullOddsJson, predictionsJson } from '../../engine/qa/postprocess';
import { flattenExamples, readSquadFile } from '../../engine/squad/dataset';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { parseCommandArgs, requireString } from '../args';
import { ProgressLine } from '../progress';
import { QA_FLAGS_HELP, QA_FLAG_SPECS, qaOptions } from '../qa-options';

const USAGE = `Usage: spantune predict --model DIR --data SQUAD.json --out PRED.json [options]

Answers every question of a SQuAD file and writes {"question id": "answer text"}, the official
predictions format. Progress goes to stderr; no output file is written unless all questions are answered.

Options:
  --model DIR                  a model folder in Hugging Face layout
  --data FILE                  SQuAD v1.1/v2.0 JSON with the questions
  --out FILE                   predictions JSON to write
  --nbest-out FILE             also write the n-best answers of each question
  --null-odds-out FILE         also write the null-score differences (v2.0)
${QA_FLAGS_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('predict', argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    out: { type: 'string' },
    'nbest-out': { type: 'string' },
    'null-odds-out': { type: 'string' },
    ...QA_FLAG_SPECS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('predict', values, 'model');
  const dataPath = requireString('predict', values, 'data');
  const outPath = requireString('predict', values, 'out');
  const options = qaOptions('predict', values);

  const examples = flattenExamples(await readSquadFile(dataPath, { purpose: 'predict' }));
  if (examples.length === 0) throw new UserError(`${dataPath} has no questions to answer`);
  const progress = new ProgressLine('predict', 'windows');
  const output = await runPrediction({ modelDir, examples, ...options }, {
    onProgress: (done, total) => progress.update(done, total),
    onLog: (message) => process.stderr.write(`${message}\n`),
    onDetail: values.verbose ? (message) => process.stderr.write(`${message}\n`) : undefined,
  });
  await writeFileAtomic(outPath, `${JSON.stringify(predictionsJson(output.predictions), null, 2)}\n`);
  if (values['nbest-out']) await writeFileAtomic(values['nbest-out'], `${JSON.stringify(nbestJson(output.predictions), null, 2)}\n`);
  if (values['null-odds-out']) await writeFileAtomic(values['null-odds-out'], `${JSON.stringify(nullOddsJson(output.predictions), null, 2)}\n`);
  process.stderr.write(`answered ${output.predictions.length} questions from ${output.windows} windows; wrote ${outPath}\n`);
}

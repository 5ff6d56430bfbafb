import { UserError } from '../../engine/errors';
import { runPrediction } from '../../engine/qa/predict';
import { nbestJson, nullOddsJson, predictionsJson, type ExamplePrediction } from '../../engine/qa/postprocess';
import { flattenExamples, readSquadFile } from '../../engine/squad/dataset';
import { writeFilesAtomic } from '../../engine/fs/atomic';
import { parseCommandArgs, requireString } from '../args';
import { checkOutputFile } from '../output-checks';
import { ProgressLine } from '../progress';
import { QA_FLAGS_HELP, QA_FLAG_SPECS, checkModelWindow, qaOptions } from '../qa-options';

const USAGE = `Usage: spantune predict --model DIR --data SQUAD.json --out PRED.json [options]

Answers every question of a SQuAD file and writes {"question id": "answer text"}, the official
predictions format. Progress goes to stderr; no output file is written unless all questions are answered
and every output can be written.

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
  const outputs: [flag: string, file: string | undefined, json: (p: ExamplePrediction[]) => unknown][] = [
    ['--out', requireString('predict', values, 'out'), predictionsJson],
    ['--nbest-out', values['nbest-out'], nbestJson],
    ['--null-odds-out', values['null-odds-out'], nullOddsJson],
  ];
  const options = qaOptions('predict', values);
  for (const [flag, file] of outputs) if (file !== undefined) await checkOutputFile(flag, file);
  await checkModelWindow(modelDir, options.maxSeqLength);

  const examples = flattenExamples(await readSquadFile(dataPath, { purpose: 'predict' }));
  if (examples.length === 0) throw new UserError(`${dataPath} has no questions to answer`);
  // Notes (the backend, model warnings) wait until the model is running: a refused model prints its error alone.
  const held: string[] = [];
  let running = false;
  const progress = new ProgressLine('predict', 'windows');
  const output = await runPrediction({ modelDir, examples, ...options }, {
    onProgress: (done, total) => {
      if (!running) for (const line of held.splice(0)) process.stderr.write(`${line}\n`);
      running = true;
      progress.update(done, total);
    },
    onLog: (message) => (running ? process.stderr.write(`${message}\n`) : held.push(message)),
    // Asked for with --verbose: said at once.
    onDetail: values.verbose ? (message) => process.stderr.write(`${message}\n`) : undefined,
  });
  const written = outputs.filter((entry): entry is [string, string, (p: ExamplePrediction[]) => unknown] => entry[1] !== undefined);
  await writeFilesAtomic(written.map(([, file, json]) => [file, `${JSON.stringify(json(output.predictions), null, 2)}\n`]));
  process.stderr.write(`answered ${output.predictions.length} questions from ${output.windows} windows; wrote ${written.map(([, file]) => file).join(', ')}\n`);
}

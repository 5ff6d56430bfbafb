import { UserError } from '../../engine/errors';
import { runPrediction } from '../../engine/qa/predict';
import { readUserTextFile } from '../../engine/squad/text-file';
import { optionalNumber, parseCommandArgs, requireString } from '../args';
import { QA_FLAGS_HELP, QA_FLAG_SPECS, checkModelWindow, qaOptions } from '../qa-options';

const USAGE = `Usage: spantune ask --model DIR (--context-file F | --context S) --question Q [--top-k N] [options]

Answers one question about a text. Prints JSON: the best answers with score, probability and their
[start, end) character offsets in the text (the answer is exactly text.slice(start, end)).

Options:
  --top-k N                    answers to list (default 3)
${QA_FLAGS_HELP}`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('ask', argv, {
    model: { type: 'string' },
    context: { type: 'string' },
    'context-file': { type: 'string' },
    question: { type: 'string' },
    'top-k': { type: 'string' },
    ...QA_FLAG_SPECS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('ask', values, 'model');
  const question = requireString('ask', values, 'question');
  const topK = optionalNumber('ask', values, 'top-k', { integer: true, min: 1 }) ?? 3;
  if ((values.context === undefined) === (values['context-file'] === undefined)) {
    throw new UserError('spantune ask: give exactly one of --context and --context-file');
  }
  const options = qaOptions('ask', values);
  await checkModelWindow(modelDir, options.maxSeqLength);
  const contextFile = values['context-file'];
  const context = contextFile === undefined
    ? values.context!
    : await readUserTextFile(contextFile, { allowNul: true });
  if (context.trim() === '') throw new UserError('spantune ask: the context is empty');

  const output = await runPrediction({
    modelDir,
    examples: [{ id: 'question', question, context, answers: [], isImpossible: false }],
    ...options,
    nBestSize: Math.max(options.nBestSize, topK),
  }, { onDetail: values.verbose ? (message) => process.stderr.write(`${message}\n`) : undefined });
  const prediction = output.predictions[0]!;
  const answers = prediction.nbest.slice(0, topK).map((a) => ({
    text: a.text,
    start: a.start,
    end: a.end,
    score: a.score,
    probability: a.probability,
    noAnswer: a.isNull,
  }));
  process.stdout.write(`${JSON.stringify({ question, noAnswer: prediction.isNull, answers, backend: output.backend }, null, 2)}\n`);
}

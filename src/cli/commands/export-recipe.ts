import { UserError } from '../../engine/errors';
import { exportTrainingRecipe, type RecipeSettings } from '../../engine/export/recipe';
import { QA_DEFAULTS } from '../../engine/qa/defaults';
import { optionalNumber, parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune export-recipe --dataset SQUAD.json --model M --out DIR [options]

Writes a training recipe for a GPU machine or cluster: the data as SpanTune would train on it (same
question selection and validation split) in run_qa.py's format, train.sh (Hugging Face run_qa.py
under accelerate, same hyperparameters), accelerate_config.yaml, requirements.txt and a README that
explains how to run it and how to bring the trained model back. Prints a JSON summary on stdout.

Options (defaults as spantune train):
  --dataset FILE               SQuAD v1.1/v2.0 training data
  --model M                    base model: Hub id, or a model folder (a Hub cache snapshot becomes its id;
                               another folder is copied into the recipe)
  --out DIR                    empty folder for the recipe (--force to write into one with files)
  --validation FILE            validation data (default: hold out --validation-split of the contexts)
  --validation-split X         (default 0.1)
  --epochs N (2)  --max-steps N  --batch-size N (12)  --grad-accum N (1)  --learning-rate X (3e-5)
  --warmup-ratio X (0)  --weight-decay X (0.01)  --max-grad-norm X (1)  --seed N (42)  --dropout X
  --max-seq-length N (${QA_DEFAULTS.maxSeqLength})  --doc-stride N (${QA_DEFAULTS.docStride})  --max-query-length N (${QA_DEFAULTS.maxQueryLength})
  --version-2-with-negative    SQuAD v2.0 mode (turned on anyway when the data has unanswerable questions)
  --include-unreviewed         include generated pairs nobody reviewed yet`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('export-recipe', argv, {
    dataset: { type: 'string' },
    model: { type: 'string' },
    out: { type: 'string' },
    validation: { type: 'string' },
    'validation-split': { type: 'string' },
    epochs: { type: 'string' },
    'max-steps': { type: 'string' },
    'batch-size': { type: 'string' },
    'grad-accum': { type: 'string' },
    'learning-rate': { type: 'string' },
    'warmup-ratio': { type: 'string' },
    'weight-decay': { type: 'string' },
    'max-grad-norm': { type: 'string' },
    seed: { type: 'string' },
    dropout: { type: 'string' },
    'max-seq-length': { type: 'string' },
    'doc-stride': { type: 'string' },
    'max-query-length': { type: 'string' },
    'version-2-with-negative': { type: 'boolean' },
    'include-unreviewed': { type: 'boolean' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const num = (name: string, fallback: number, opts: { integer?: boolean; min?: number } = {}) => optionalNumber('export-recipe', values, name, opts) ?? fallback;
  const split = optionalNumber('export-recipe', values, 'validation-split');
  if (split !== undefined && (split <= 0 || split >= 1)) throw new UserError(`spantune export-recipe: --validation-split must be between 0 and 1, got ${split}`);
  if (split !== undefined && values.validation !== undefined) throw new UserError('spantune export-recipe: give --validation or --validation-split, not both');
  const dropout = optionalNumber('export-recipe', values, 'dropout');
  if (dropout !== undefined && (dropout < 0 || dropout >= 1)) throw new UserError(`spantune export-recipe: --dropout must be in [0, 1), got ${dropout}`);

  const settings: RecipeSettings = {
    trainFile: requireString('export-recipe', values, 'dataset'),
    validationFile: values.validation,
    validationSplit: split,
    epochs: num('epochs', 2, { min: 0 }),
    maxSteps: optionalNumber('export-recipe', values, 'max-steps', { integer: true, min: 1 }),
    batchSize: num('batch-size', 12, { integer: true, min: 1 }),
    gradAccum: num('grad-accum', 1, { integer: true, min: 1 }),
    learningRate: num('learning-rate', 3e-5, { min: 0 }),
    warmupRatio: num('warmup-ratio', 0, { min: 0 }),
    weightDecay: num('weight-decay', 0.01, { min: 0 }),
    maxGradNorm: num('max-grad-norm', 1.0, { min: 0 }),
    seed: num('seed', 42, { integer: true, min: 0 }),
    dropout,
    maxSeqLength: num('max-seq-length', QA_DEFAULTS.maxSeqLength, { integer: true, min: 8 }),
    docStride: num('doc-stride', QA_DEFAULTS.docStride, { integer: true, min: 0 }),
    maxQueryLength: num('max-query-length', QA_DEFAULTS.maxQueryLength, { integer: true, min: 1 }),
    version2WithNegative: values['version-2-with-negative'] === true,
    includeUnreviewed: values['include-unreviewed'] === true,
  };
  const result = await exportTrainingRecipe({
    settings,
    baseModel: requireString('export-recipe', values, 'model'),
    outDir: requireString('export-recipe', values, 'out'),
    force: values.force === true,
  });
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  process.stderr.write(`recipe written to ${result.outDir}: run ./train.sh there (see README.md)\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

import { exportTrainingRecipe, type RecipeSettings } from '../../engine/export/recipe';
import { QA_DEFAULTS } from '../../engine/qa/defaults';
import { parseCommandArgs, requireString } from '../args';
import { TRAINING_FLAG_SPECS, trainingHyperparameters } from '../training-flags';

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
    ...TRAINING_FLAG_SPECS,
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const settings: RecipeSettings = { trainFile: requireString('export-recipe', values, 'dataset'), ...trainingHyperparameters('export-recipe', values) };
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

/**
 * A ready-to-run training recipe for people who outgrow one machine: the same data (after SpanTune's
 * own selection and validation split) in the format Hugging Face's run_qa.py reads, a train.sh that
 * runs run_qa.py under `accelerate launch` with the same hyperparameters, an accelerate config for
 * multi-GPU, requirements.txt, and a README on running it and bringing the result back.
 */
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

import { copyFileAtomic, tempSiblingPath, writeFileAtomic } from '../fs/atomic';
import { UserError } from '../errors';
import type { TrainSettings } from '../process/protocol';
import { formatSquad } from '../squad/dataset';
import type { QaExample, SquadDataset } from '../squad/types';
import { loadTrainingData } from '../train/data';

/** The hyperparameters of a SpanTune run that the recipe carries over. */
export type RecipeSettings = Pick<
  TrainSettings,
  | 'trainFile'
  | 'validationFile'
  | 'validationSplit'
  | 'epochs'
  | 'maxSteps'
  | 'batchSize'
  | 'gradAccum'
  | 'learningRate'
  | 'warmupRatio'
  | 'weightDecay'
  | 'maxGradNorm'
  | 'seed'
  | 'dropout'
  | 'maxSeqLength'
  | 'docStride'
  | 'maxQueryLength'
  | 'version2WithNegative'
  | 'includeUnreviewed'
>;

export interface RecipeOptions {
  settings: RecipeSettings;
  /** Hub id, or a local model folder (a Hugging Face cache snapshot is turned back into its Hub id). */
  baseModel: string;
  outDir: string;
  /** Write into a folder that already has files. */
  force?: boolean;
}

export interface RecipeResult {
  outDir: string;
  files: string[];
  trainExamples: number;
  validationExamples: number;
  /** What run_qa.py is told to load: a Hub id, or `base-model` (copied into the recipe). */
  modelArgument: string;
  modelRevision?: string;
  version2WithNegative: boolean;
  notes: string[];
}

/** run_qa.py reads JSON through `datasets` with field="data": one flat record per question. */
interface RunQaRecord {
  id: string;
  title: string;
  context: string;
  question: string;
  answers: { text: string[]; answer_start: number[] };
}

export function toRunQaJson(examples: readonly QaExample[]): string {
  const data: RunQaRecord[] = examples.map((example) => ({
    id: example.id,
    title: example.title ?? '',
    context: example.context,
    question: example.question,
    answers: {
      text: example.isImpossible ? [] : example.answers.map((answer) => answer.text),
      answer_start: example.isImpossible ? [] : example.answers.map((answer) => answer.start),
    },
  }));
  return `${JSON.stringify({ version: 'spantune-export', data })}\n`;
}

/** Nested SQuAD JSON again (paragraphs grouped by title and context), for `spantune predict/evaluate`. */
export function toSquadDataset(examples: readonly QaExample[], version2: boolean): SquadDataset {
  const articles = new Map<string, Map<string, QaExample[]>>();
  for (const example of examples) {
    const title = example.title ?? '';
    const paragraphs = articles.get(title) ?? new Map<string, QaExample[]>();
    articles.set(title, paragraphs);
    const questions = paragraphs.get(example.context) ?? [];
    paragraphs.set(example.context, questions);
    questions.push(example);
  }
  return {
    version: version2 ? 'v2.0' : '1.1',
    data: [...articles].map(([title, paragraphs]) => ({
      title,
      paragraphs: [...paragraphs].map(([context, questions]) => ({
        context,
        qas: questions.map((q) => ({
          id: q.id,
          question: q.question,
          answers: q.answers.map((a) => ({ text: a.text, answer_start: a.start })),
          ...(version2 ? { is_impossible: q.isImpossible } : {}),
        })),
      })),
    })),
  };
}

/** `…/models--org--name/snapshots/<sha>` → org/name at that commit. */
export function hubIdFromCachePath(dir: string): { repoId: string; revision: string } | undefined {
  const parts = resolve(dir).split(sep);
  const at = parts.lastIndexOf('snapshots');
  if (at < 1 || at !== parts.length - 2) return undefined;
  const folder = parts[at - 1]!;
  const revision = parts[at + 1]!;
  if (!folder.startsWith('models--') || !/^[0-9a-f]{40}$/.test(revision)) return undefined;
  return { repoId: folder.slice('models--'.length).split('--').join('/'), revision };
}

/** Single-quotes a value for bash. */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The run_qa.py arguments that carry SpanTune's hyperparameters; batch size is set by train.sh. */
export function runQaArguments(settings: RecipeSettings, model: { argument: string; revision?: string }, version2: boolean): string[] {
  const args = [
    `--model_name_or_path ${sh(model.argument)}`,
    ...(model.revision ? [`--model_revision ${sh(model.revision)}`] : []),
    '--train_file data/train.json',
    '--validation_file data/validation.json',
    '--do_train',
    '--do_eval',
    `--learning_rate ${settings.learningRate}`,
    `--num_train_epochs ${settings.epochs}`,
    ...(settings.maxSteps ? [`--max_steps ${settings.maxSteps}`] : []),
    '--per_device_train_batch_size "$PER_DEVICE_BATCH"',
    '--gradient_accumulation_steps "$GRAD_ACCUM"',
    '--per_device_eval_batch_size 32',
    `--max_seq_length ${settings.maxSeqLength}`,
    `--doc_stride ${settings.docStride}`,
    `--warmup_ratio ${settings.warmupRatio}`,
    `--weight_decay ${settings.weightDecay}`,
    `--max_grad_norm ${settings.maxGradNorm}`,
    '--lr_scheduler_type linear',
    `--seed ${settings.seed}`,
    ...(version2 ? ['--version_2_with_negative'] : []),
    '--save_strategy epoch',
    '--save_total_limit 2',
    '--report_to none',
    '--output_dir "$OUTPUT_DIR"',
  ];
  return args;
}

function trainScript(settings: RecipeSettings, model: { argument: string; revision?: string }, version2: boolean): string {
  const effectiveBatch = settings.batchSize * (settings.gradAccum ?? 1);
  const args = runQaArguments(settings, model, version2);
  return `#!/usr/bin/env bash
# Generated by SpanTune: fine-tunes ${model.argument} on data/ with Hugging Face's run_qa.py,
# the same hyperparameters as the SpanTune run, on every GPU of this machine (accelerate).
#   NUM_GPUS=8 ./train.sh                 # choose the number of GPUs (default: all that nvidia-smi lists)
#   GRAD_ACCUM=2 ./train.sh               # when a GPU cannot hold the per-device batch
#   OUTPUT_DIR=runs/a ./train.sh --fp16   # extra arguments go to run_qa.py
set -euo pipefail
cd "$(dirname "$0")"

PYTHON="\${PYTHON:-python3}"
NUM_GPUS="\${NUM_GPUS:-$(nvidia-smi -L 2>/dev/null | wc -l || echo 1)}"
[ "$NUM_GPUS" -ge 1 ] 2>/dev/null || NUM_GPUS=1
GRAD_ACCUM="\${GRAD_ACCUM:-1}"
OUTPUT_DIR="\${OUTPUT_DIR:-output}"

# Examples per optimizer step in the SpanTune run (batch size ${settings.batchSize} x accumulation ${settings.gradAccum ?? 1}); kept the same
# here by splitting it over GPUs and accumulation steps.
EFFECTIVE_BATCH=${effectiveBatch}
PER_DEVICE_BATCH=$(( EFFECTIVE_BATCH / (NUM_GPUS * GRAD_ACCUM) ))
if [ "$PER_DEVICE_BATCH" -lt 1 ] || [ $(( PER_DEVICE_BATCH * NUM_GPUS * GRAD_ACCUM )) -ne "$EFFECTIVE_BATCH" ]; then
  PER_DEVICE_BATCH=$(( (EFFECTIVE_BATCH + NUM_GPUS * GRAD_ACCUM - 1) / (NUM_GPUS * GRAD_ACCUM) ))
  echo "note: $EFFECTIVE_BATCH examples per step do not split evenly over $NUM_GPUS GPU(s) x $GRAD_ACCUM; using $PER_DEVICE_BATCH per GPU ($(( PER_DEVICE_BATCH * NUM_GPUS * GRAD_ACCUM )) per step)" >&2
fi

# run_qa.py and its two helpers, from the transformers release installed here (they must match it).
if [ -z "\${RUN_QA_DIR:-}" ]; then
  TRANSFORMERS_VERSION="$("$PYTHON" -c 'import transformers; print(transformers.__version__)')"
  RUN_QA_DIR="scripts/transformers-v$TRANSFORMERS_VERSION"
  if [ ! -f "$RUN_QA_DIR/run_qa.py" ]; then
    mkdir -p "$RUN_QA_DIR"
    for file in run_qa.py trainer_qa.py utils_qa.py; do
      curl -fsSL "https://raw.githubusercontent.com/huggingface/transformers/v$TRANSFORMERS_VERSION/examples/pytorch/question-answering/$file" -o "$RUN_QA_DIR/$file" || {
        echo "error: cannot fetch $file for transformers $TRANSFORMERS_VERSION; set RUN_QA_DIR to a folder holding run_qa.py, trainer_qa.py and utils_qa.py" >&2
        exit 1
      }
    done
  fi
fi

exec accelerate launch --config_file accelerate_config.yaml --num_processes "$NUM_GPUS" \\
  "$RUN_QA_DIR/run_qa.py" \\
${args.map((arg) => `  ${arg} \\`).join('\n')}
  "$@"
`;
}

const ACCELERATE_CONFIG = `# accelerate config for one machine with several GPUs; train.sh sets num_processes to the GPU count.
# For several machines, set num_machines, machine_rank, main_process_ip and main_process_port
# (see https://huggingface.co/docs/accelerate/basic_tutorials/launch).
compute_environment: LOCAL_MACHINE
distributed_type: MULTI_GPU
num_machines: 1
machine_rank: 0
num_processes: 1
gpu_ids: all
mixed_precision: 'no'
main_training_function: main
rdzv_backend: static
same_network: true
downcast_bf16: 'no'
use_cpu: false
`;

const REQUIREMENTS = `# Hugging Face run_qa.py and what it imports. train.sh downloads the run_qa.py of the installed
# transformers release, so any release in this range works.
torch>=2.1
transformers>=4.41,<5
datasets>=2.14
evaluate>=0.4
accelerate>=0.26
safetensors>=0.4
`;

function readme(result: Omit<RecipeResult, 'files' | 'outDir'>, settings: RecipeSettings): string {
  const differences = [
    `run_qa.py truncates questions only as part of the sequence; SpanTune's max query length (${settings.maxQueryLength}) has no run_qa.py flag.`,
    ...(settings.dropout !== undefined ? [`SpanTune ran with dropout ${settings.dropout}; run_qa.py keeps the model config's dropout (edit config.json to change it).`] : []),
    'run_qa.py shuffles with PyTorch, so the order of examples (and the exact scores) will differ a little from a SpanTune run with the same seed.',
  ];
  return `# SpanTune training recipe

Fine-tunes \`${result.modelArgument}\`${result.modelRevision ? ` (revision \`${result.modelRevision}\`)` : ''} for extractive question answering on the
same data and with the same hyperparameters as SpanTune, using Hugging Face's
[run_qa.py](https://github.com/huggingface/transformers/tree/main/examples/pytorch/question-answering)
on one or many GPUs.

| | |
|---|---|
| training examples | ${result.trainExamples} (data/train.json) |
| validation examples | ${result.validationExamples} (data/validation.json) |
| format | ${result.version2WithNegative ? 'SQuAD v2.0 (some questions have no answer)' : 'SQuAD v1.1'} |
| learning rate | ${settings.learningRate} |
| epochs | ${settings.epochs}${settings.maxSteps ? ` (at most ${settings.maxSteps} steps)` : ''} |
| examples per optimizer step | ${settings.batchSize * (settings.gradAccum ?? 1)} |
| max sequence length / doc stride | ${settings.maxSeqLength} / ${settings.docStride} |
| warmup ratio / weight decay / max grad norm | ${settings.warmupRatio} / ${settings.weightDecay} / ${settings.maxGradNorm} |
| seed | ${settings.seed} |

## Run it

\`\`\`bash
python3 -m venv .venv && . .venv/bin/activate
pip install -r requirements.txt      # pick the torch build for your CUDA first if needed
./train.sh                           # all GPUs of this machine; NUM_GPUS=4 ./train.sh for fewer
\`\`\`

\`train.sh\` fetches \`run_qa.py\` (and \`trainer_qa.py\`, \`utils_qa.py\`) for the installed transformers
release, then runs it under \`accelerate launch\` with \`accelerate_config.yaml\`. The examples per
optimizer step stay the same whatever the number of GPUs: set \`GRAD_ACCUM\` when one GPU cannot hold
its share. Extra arguments go to run_qa.py, e.g. \`./train.sh --bf16\` on GPUs that support it.
For several machines, edit \`accelerate_config.yaml\` (num_machines, machine_rank, main_process_ip).

The trained model lands in \`output/\` (or \`$OUTPUT_DIR\`), with \`eval_results.json\` holding the
validation EM/F1 (run_qa.py computes them with the official SQuAD metric).

## Bring the result back

\`output/\` is a model folder in Hugging Face layout (config.json, model.safetensors, tokenizer files),
so SpanTune reads it as is:

\`\`\`bash
spantune predict --model output --data data/validation.squad.json --out predictions.json
spantune evaluate --data data/validation.squad.json --predictions predictions.json
\`\`\`

In VS Code, copy the folder into the workspace and pick it with "SpanTune: Select Base Model" (or use it
as the active model). \`spantune push output --repo you/name\` publishes it on the Hub.

## Differences from a SpanTune run

${differences.map((line) => `- ${line}`).join('\n')}
${result.notes.length ? `\n## Notes from the export\n\n${result.notes.map((line) => `- ${line}`).join('\n')}\n` : ''}`;
}

async function folderHasFiles(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

/** Files a model folder needs on the cluster; anything else (optimizer state, logs) stays behind. */
const MODEL_FILE = /^(config\.json|tokenizer\.json|tokenizer_config\.json|special_tokens_map\.json|vocab\.txt|added_tokens\.json|model(-\d+-of-\d+)?\.safetensors|model\.safetensors\.index\.json|pytorch_model\.bin)$/;

export async function exportTrainingRecipe(options: RecipeOptions): Promise<RecipeResult> {
  const { settings } = options;
  const outDir = resolve(options.outDir);
  const outKind = await stat(outDir).then((info) => (info.isDirectory() ? 'folder' : 'file'), () => undefined);
  if (outKind === 'file') throw new UserError(`${outDir} is a file; --out takes a folder for the recipe`);
  if (!options.force && (await folderHasFiles(outDir))) {
    throw new UserError(`${outDir} already has files; choose an empty folder for the recipe (or --force to write into it)`);
  }
  const notes: string[] = [];

  // Everything is read and checked before anything is written. The model: a Hub id stays one; a
  // cache snapshot becomes its Hub id; another folder is copied along.
  let modelArgument = options.baseModel;
  let modelRevision: string | undefined;
  let modelFiles: string[] = [];
  const isFolder = (await stat(options.baseModel).catch(() => undefined))?.isDirectory() ?? false;
  if (isFolder) {
    const fromCache = hubIdFromCachePath(options.baseModel);
    if (fromCache) {
      modelArgument = fromCache.repoId;
      modelRevision = fromCache.revision;
    } else {
      modelFiles = (await readdir(options.baseModel)).filter((name) => MODEL_FILE.test(name));
      if (!modelFiles.includes('config.json')) throw new UserError(`${options.baseModel} has no config.json: it is not a model folder in Hugging Face layout`);
      modelArgument = 'base-model';
      notes.push(`the local model ${basename(resolve(options.baseModel))} was copied into base-model/`);
    }
  } else if (!/^[\w.-]+(\/[\w.-]+)?$/.test(options.baseModel)) {
    throw new UserError(`--model '${options.baseModel}' is neither a folder nor a Hugging Face model id`);
  }

  // The data exactly as SpanTune would train on it: same selection, same validation split.
  const data = await loadTrainingData({ ...settings, modelDir: '', outputDir: '' });
  notes.push(...data.notes);
  const hasImpossible = [...data.train, ...data.validation].some((example) => example.isImpossible);
  const version2 = settings.version2WithNegative || hasImpossible;
  if (version2 && !settings.version2WithNegative) notes.push('the data has unanswerable questions, so the recipe trains in SQuAD v2.0 mode (--version_2_with_negative)');

  const written: [string, string][] = [
    ['data/train.json', toRunQaJson(data.train)],
    ['data/validation.json', toRunQaJson(data.validation)],
    ['data/validation.squad.json', formatSquad(toSquadDataset(data.validation, version2))],
    ['train.sh', trainScript(settings, { argument: modelArgument, revision: modelRevision }, version2)],
    ['accelerate_config.yaml', ACCELERATE_CONFIG],
    ['requirements.txt', REQUIREMENTS],
    ['spantune-recipe.json', `${JSON.stringify({ baseModel: options.baseModel, modelArgument, modelRevision, version2WithNegative: version2, settings }, null, 2)}\n`],
  ];
  const summary = {
    trainExamples: data.train.length,
    validationExamples: data.validation.length,
    modelArgument,
    modelRevision,
    version2WithNegative: version2,
    notes,
  };
  written.push(['README.md', readme(summary, settings)]);

  // A new folder is assembled beside its final name and renamed into place: a failure leaves nothing.
  const firstCreated = outKind === undefined ? await mkdir(dirname(outDir), { recursive: true }) : undefined;
  const target = outKind === undefined ? tempSiblingPath(outDir, 'staging') : outDir;
  try {
    await mkdir(join(target, 'data'), { recursive: true });
    if (modelFiles.length > 0) await mkdir(join(target, 'base-model'));
    for (const name of modelFiles) await copyFileAtomic(join(options.baseModel, name), join(target, 'base-model', name));
    for (const [name, text] of written) await writeFileAtomic(join(target, name), text);
    await chmod(join(target, 'train.sh'), 0o755);
    if (target !== outDir) await rename(target, outDir);
  } catch (error) {
    if (target !== outDir) await rm(firstCreated ?? target, { recursive: true, force: true });
    throw error;
  }
  return { outDir, files: written.map(([name]) => name), ...summary };
}

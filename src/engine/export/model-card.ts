import { join } from 'node:path';

import { writeFileAtomic } from '../fs/atomic';
import { UserError } from '../errors';

/** EM/F1 on the validation data, in percent (the official scripts' scale). */
export interface CardScores {
  exact: number;
  f1: number;
}

/** What the training code knows about a fine-tuning run; the card is written from it alone. */
export interface ModelCardInput {
  /** Title of the card, e.g. "distilbert-base-cased fine-tuned on COVID-QA". */
  modelName: string;
  /** Hub id the model will have, for the loading snippet; a local path is shown when absent. */
  repoId?: string;
  /** Hub id (or local path) of the checkpoint the run started from. */
  baseModel: string;
  /** Hub dataset ids, or descriptive names of the user's files. */
  datasets?: string[];
  language?: string[];
  license?: string;
  data: {
    trainExamples: number;
    validationExamples: number;
    /** Where the validation data came from: a file, or a held-out share of the training file. */
    validationSource?: string;
    version2WithNegative: boolean;
  };
  hyperparameters: {
    learningRate: number;
    epochs: number;
    batchSize: number;
    gradAccum?: number;
    maxSeqLength: number;
    docStride: number;
    maxQueryLength?: number;
    warmupRatio: number;
    weightDecay: number;
    maxGradNorm?: number;
    seed: number;
    dropout?: number;
  };
  /** Validation scores of the base model before fine-tuning (absent when it had no QA head). */
  before?: CardScores;
  after?: CardScores;
  trainingSeconds?: number;
  /** e.g. "wasm (XNNPACK), 2 threads" or "tfjs-node-gpu". */
  backend?: string;
}

/** YAML scalars: JSON's double-quoted strings and plain numbers are valid YAML, and unambiguous. */
function yamlString(value: string): string {
  return JSON.stringify(value);
}

function checkScores(name: string, scores: CardScores | undefined): void {
  if (!scores) return;
  for (const [key, value] of Object.entries(scores)) {
    if (!Number.isFinite(value) || value < 0 || value > 100) {
      throw new UserError(`model card: ${name}.${key} must be a percentage between 0 and 100, got ${String(value)}`);
    }
  }
}

function round(value: number, digits = 2): string {
  return value.toFixed(digits);
}

function frontMatter(input: ModelCardInput): string {
  const lines = ['---', 'library_name: transformers', 'pipeline_tag: question-answering', `base_model: ${yamlString(input.baseModel)}`];
  if (input.license) lines.push(`license: ${yamlString(input.license)}`);
  if (input.language?.length) lines.push('language:', ...input.language.map((l) => `- ${yamlString(l)}`));
  if (input.datasets?.length) lines.push('datasets:', ...input.datasets.map((d) => `- ${yamlString(d)}`));
  lines.push('metrics:', '- exact_match', '- f1', 'tags:', '- question-answering', '- extractive-qa', '- spantune');
  if (input.after) {
    const datasetName = input.datasets?.[0] ?? 'validation data';
    lines.push(
      'model-index:',
      `- name: ${yamlString(input.repoId ?? input.modelName)}`,
      '  results:',
      '  - task:',
      '      type: question-answering',
      '      name: Extractive Question Answering',
      '    dataset:',
      `      name: ${yamlString(datasetName)}`,
      `      type: ${yamlString(datasetName)}`,
      '      split: validation',
      '    metrics:',
      '    - type: exact_match',
      `      value: ${round(input.after.exact)}`,
      '      name: Exact Match',
      '    - type: f1',
      `      value: ${round(input.after.f1)}`,
      '      name: F1',
    );
  }
  lines.push('---');
  return lines.join('\n');
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** The README.md text: YAML metadata the Hub reads, then a human summary and how to load the model. */
export function renderModelCard(input: ModelCardInput): string {
  checkScores('before', input.before);
  checkScores('after', input.after);
  const { data, hyperparameters: hp } = input;
  for (const [name, value] of Object.entries({ trainExamples: data.trainExamples, validationExamples: data.validationExamples })) {
    if (!Number.isInteger(value) || value < 0) throw new UserError(`model card: data.${name} must be a whole number, got ${String(value)}`);
  }
  const baseLink = /^[\w.-]+(\/[\w.-]+)?$/.test(input.baseModel) ? `[${input.baseModel}](https://huggingface.co/${input.baseModel})` : `\`${input.baseModel}\``;
  const loadId = input.repoId ?? 'path/to/this/folder';
  const squad = data.version2WithNegative ? 'SQuAD v2.0 (with unanswerable questions)' : 'SQuAD v1.1';

  const body: string[] = [
    `# ${input.modelName}`,
    '',
    `This model is ${baseLink} fine-tuned for extractive question answering (${squad} format) with SpanTune.`,
    'Given a question and a passage, it returns the span of the passage that answers the question' +
      (data.version2WithNegative ? ', or no answer when the passage does not contain one.' : '.'),
    '',
    '## Training data',
    '',
    '| split | examples |',
    '|---|---|',
    `| train | ${data.trainExamples} |`,
    `| validation | ${data.validationExamples} |`,
  ];
  if (data.validationSource) body.push('', `Validation data: ${data.validationSource}.`);
  if (input.datasets?.length) body.push('', `Datasets: ${input.datasets.join(', ')}.`);

  body.push('', '## Hyperparameters', '', '| parameter | value |', '|---|---|');
  const rows: [string, string | number | undefined][] = [
    ['learning rate', hp.learningRate],
    ['epochs', hp.epochs],
    ['batch size', hp.batchSize],
    ['gradient accumulation steps', hp.gradAccum],
    ['max sequence length', hp.maxSeqLength],
    ['document stride', hp.docStride],
    ['max query length', hp.maxQueryLength],
    ['warmup ratio', hp.warmupRatio],
    ['weight decay', hp.weightDecay],
    ['max gradient norm', hp.maxGradNorm],
    ['dropout', hp.dropout],
    ['seed', hp.seed],
    ['optimizer', 'AdamW, linear decay after warmup'],
  ];
  for (const [name, value] of rows) if (value !== undefined) body.push(`| ${name} | ${value} |`);
  if (input.trainingSeconds !== undefined || input.backend) {
    body.push('', `Trained${input.trainingSeconds !== undefined ? ` in ${formatDuration(input.trainingSeconds)}` : ''}${input.backend ? ` on ${input.backend}` : ''}.`);
  }

  body.push('', '## Validation results', '');
  if (input.before || input.after) {
    body.push('Exact match (EM) and F1 as computed by the official SQuAD evaluation script, on the validation examples above.', '');
    body.push('| | EM | F1 |', '|---|---|---|');
    if (input.before) body.push(`| before fine-tuning (${input.baseModel}) | ${round(input.before.exact)} | ${round(input.before.f1)} |`);
    if (input.after) body.push(`| after fine-tuning | ${round(input.after.exact)} | ${round(input.after.f1)} |`);
    if (input.before && input.after) {
      const sign = (value: number) => (value >= 0 ? '+' : '') + round(value);
      body.push(`| change | ${sign(input.after.exact - input.before.exact)} | ${sign(input.after.f1 - input.before.f1)} |`);
    }
  } else {
    body.push('No validation scores were recorded for this run.');
  }

  body.push(
    '',
    '## How to use',
    '',
    'With Python and Hugging Face `transformers`:',
    '',
    '```python',
    'from transformers import pipeline',
    '',
    `qa = pipeline("question-answering", model="${loadId}")`,
    'result = qa(question="What does the model do?", context="The model answers questions about a passage."' +
      (data.version2WithNegative ? ', handle_impossible_answer=True)' : ')'),
    'print(result["answer"], result["score"])',
    '```',
    '',
    'Or load the parts yourself:',
    '',
    '```python',
    'from transformers import AutoModelForQuestionAnswering, AutoTokenizer',
    '',
    `tokenizer = AutoTokenizer.from_pretrained("${loadId}")`,
    `model = AutoModelForQuestionAnswering.from_pretrained("${loadId}")`,
    '```',
    '',
    'With SpanTune: `spantune predict --model FOLDER --data questions.json --out predictions.json`.',
    '',
  );
  return `${frontMatter(input)}\n\n${body.join('\n')}`;
}

/** Writes README.md into a model folder, atomically. Returns its path. */
export async function writeModelCard(modelDir: string, input: ModelCardInput): Promise<string> {
  const path = join(modelDir, 'README.md');
  await writeFileAtomic(path, renderModelCard(input));
  return path;
}

/**
 * Bad input, command by command, through the real `spantune` (the bin and bundles built from the
 * current sources; the numeric sweep, which fails at flag parsing, through main() in this process).
 * Every row runs in a fresh folder and must: exit with code 2, end stderr with its
 * specific error on one line, print no stack trace and nothing on stdout, and leave the folder
 * exactly as it was (no output folder, log, partial or temporary file). Validation errors must also
 * be alone on stderr; rows marked `after` fail once the work has started (progress lines come first).
 * Then the sweep: every numeric flag of every command with 0, a negative, a huge value and a
 * non-number, wherever such a value is wrong.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { main } from '../../../src/cli/main';
import { buildCli, type BuiltCli } from '../../support/cli';
import { copyFixtureModel } from '../../support/fixture-copy';
import { xquadSubset } from '../../support/training-fixtures';

// A private copy: a model run on ONNX Runtime keeps its graph in its folder, never in ../shared.
const tinyBertDir = copyFixtureModel('tiny-bert-qa');

let cli: BuiltCli;
before(async () => {
  cli = await buildCli();
});

const root = mkdtempSync(path.join(tmpdir(), 'spantune-bad-input-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Row {
  name: string;
  args: string[];
  /** Writes the row's inputs into its folder (the working directory of the command). */
  setup?: (dir: string) => void;
  /** The last stderr line, after "error: ". */
  error: RegExp;
  /** The command fails after its work started: lines may precede the error. */
  after?: boolean;
  /** Paths (relative to the row's folder) the snapshot leaves out. */
  ignore?: RegExp;
}

// ---------------------------------------------------------------------------------------------
// Inputs.

const TRAIN = ['--model', tinyBertDir, '--train', 'train.json', '--output', 'out', '--log', 'logs/train.jsonl', '--backend', 'wasm'];
/** Small windows, so that rows that reach the model are quick. */
const SMALL_WINDOWS = ['--max-seq-length', '64', '--doc-stride', '16', '--max-query-length', '16'];

function writeSquad(dir: string, name = 'train.json'): void {
  writeFileSync(path.join(dir, name), JSON.stringify(xquadSubset(2, { questionsPerParagraph: 4 })));
}

/** A copy of the tiny BERT fixture at dir/model. */
function copyModel(dir: string): string {
  const model = path.join(dir, 'model');
  cpSync(tinyBertDir, model, { recursive: true });
  return model;
}

/** The safetensors header of a model folder's weights: tensor name → byte range in the data part. */
function weightsHeader(model: string): { bytes: Buffer; dataStart: number; tensors: Record<string, { data_offsets: [number, number] }> } {
  const bytes = readFileSync(path.join(model, 'model.safetensors'));
  const length = Number(bytes.readBigUInt64LE(0));
  const { __metadata__: _, ...tensors } = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  return { bytes, dataStart: 8 + length, tensors };
}

/** Sets float32 values of one tensor of dir/model (all of them with `all`). */
function poisonModel(dir: string, tensor: string, value: number, { all = false } = {}): void {
  const model = copyModel(dir);
  const { bytes, dataStart, tensors } = weightsHeader(model);
  const [begin, end] = tensors[tensor]!.data_offsets;
  for (let at = dataStart + begin; at < dataStart + (all ? end : begin + 4); at += 4) bytes.writeFloatLE(value, at);
  writeFileSync(path.join(model, 'model.safetensors'), bytes);
}

function editConfig(dir: string, edit: Record<string, unknown>): void {
  const model = copyModel(dir);
  const file = path.join(model, 'config.json');
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...edit }));
}

/** A sharded checkpoint whose index names a second shard that is not there. */
function shardedWithMissingShard(dir: string): void {
  const model = copyModel(dir);
  const names = Object.keys(weightsHeader(model).tensors);
  const shard1 = 'model-00001-of-00002.safetensors';
  cpSync(path.join(model, 'model.safetensors'), path.join(model, shard1));
  rmSync(path.join(model, 'model.safetensors'));
  const weightMap = Object.fromEntries(names.map((name) => [name, name.startsWith('qa_outputs') ? 'model-00002-of-00002.safetensors' : shard1]));
  writeFileSync(path.join(model, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
}

const notJson = (name: string) => (dir: string) => writeFileSync(path.join(dir, name), 'question,answer\nwhere?,here\n');

// ---------------------------------------------------------------------------------------------
// The rows of issue 11, and their neighbours; each runs the command its name begins with.

const issueRows: Row[] = [
  { name: 'train: a training file that is not JSON', args: TRAIN, setup: notJson('train.json'), error: /^train\.json: not valid JSON at line 1, column 1: / },
  { name: 'train: an empty training file', args: TRAIN, setup: (d) => writeFileSync(path.join(d, 'train.json'), ''), error: /^train\.json: not valid JSON at line 1, column 1: the text ends too early/ },
  {
    name: 'train: a training file with no questions',
    args: TRAIN,
    setup: (d) => writeFileSync(path.join(d, 'train.json'), JSON.stringify({ version: '1.1', data: [{ title: 't', paragraphs: [{ context: 'Some text.', qas: [] }] }] })),
    error: /^train\.json: the file holds no questions$/,
  },
  { name: 'train: a missing training file', args: TRAIN, error: /^train\.json: no such file$/ },
  { name: 'train: a validation file that is not JSON', args: [...TRAIN, '--validation', 'validation.json'], setup: (d) => (writeSquad(d), notJson('validation.json')(d)), error: /^validation\.json: not valid JSON/ },
  {
    name: 'train: --max-seq-length longer than the model has positions',
    args: [...TRAIN, '--max-seq-length', '100000'],
    setup: writeSquad,
    error: /^--max-seq-length 100000 is longer than the model's 512 positions \(max_position_embeddings in .*config\.json\): use --max-seq-length 512 or less$/,
  },
  { name: 'train: --doc-stride equal to --max-seq-length', args: [...TRAIN, '--max-seq-length', '128', '--doc-stride', '128'], setup: writeSquad, error: /^spantune train: --doc-stride 128 must be smaller than --max-seq-length 128 / },
  {
    name: 'train: --doc-stride as long as the context part of a window',
    args: [...TRAIN, '--max-seq-length', '64', '--doc-stride', '60', '--max-query-length', '16'],
    setup: writeSquad,
    error: /^--doc-stride 60 must be smaller than the \d+ context tokens a window of --max-seq-length 64 holds after the question of example /,
  },
  {
    name: 'train: a config whose num_attention_heads does not divide hidden_size',
    args: [...TRAIN.map((a) => (a === tinyBertDir ? 'model' : a))],
    setup: (d) => (writeSquad(d), editConfig(d, { num_attention_heads: 3 })),
    error: /^config\.json: hidden_size 32 is not divisible by num_attention_heads 3$/,
  },
  {
    name: 'train: a sharded checkpoint whose index names a missing shard',
    args: [...TRAIN.map((a) => (a === tinyBertDir ? 'model' : a))],
    setup: (d) => (writeSquad(d), shardedWithMissingShard(d)),
    error: /^model\.safetensors\.index\.json lists shard model-00002-of-00002\.safetensors \(2 tensors, e\.g\. qa_outputs\.\w+\) but it is missing from model$/,
  },
  {
    name: 'train: weights holding NaN',
    args: [...TRAIN.map((a) => (a === tinyBertDir ? 'model' : a))],
    setup: (d) => (writeSquad(d), poisonModel(d, 'bert.encoder.layer.0.attention.self.query.weight', NaN)),
    error: /^bert\.encoder\.layer\.0\.attention\.self\.query\.weight in model\.safetensors holds NaN \(element 0; 1 of 1024 values are not finite\): /,
  },
  { name: 'train: a missing model folder', args: [...TRAIN.map((a) => (a === tinyBertDir ? 'nowhere' : a))], setup: writeSquad, error: /^model folder not found: nowhere$/ },
  { name: 'train: --output names a file', args: TRAIN, setup: (d) => (writeSquad(d), writeFileSync(path.join(d, 'out'), 'x')), error: /^--output out is a file, not a folder$/ },
  { name: 'train: --log names a folder', args: TRAIN, setup: (d) => (writeSquad(d), mkdirSync(path.join(d, 'logs/train.jsonl'), { recursive: true })), error: /^--log logs\/train\.jsonl is a folder; give a file name$/ },
  { name: 'train: --dump-features into a folder that does not exist', args: [...TRAIN, '--dump-features', 'dumps/features.jsonl'], setup: writeSquad, error: /^--dump-features dumps\/features\.jsonl: the folder .*dumps does not exist$/ },
  {
    name: 'train: a run that diverges before its first checkpoint',
    args: [...TRAIN.filter((a) => a !== '--log' && a !== 'logs/train.jsonl'), ...SMALL_WINDOWS, '--learning-rate', '1e30', '--max-grad-norm', '0'],
    setup: writeSquad,
    error: /^training stopped at step \d+: .*(NaN|Infinity|not finite).*; no checkpoint had been saved yet\. Lower the learning rate \(--learning-rate 1e\+30 now, try 1e\+29\) or turn gradient clipping on/,
    after: true,
  },
  { name: 'train: an option without its value', args: ['--model', tinyBertDir, '--train', 'train.json', '--output', '--log'], error: /^spantune train: Option '--output' argument is ambiguous\. .*--output=-XYZ/ },

  { name: 'export-recipe: data that is not JSON, with a local model to copy', args: ['--dataset', 'train.json', '--model', tinyBertDir, '--out', 'recipe'], setup: notJson('train.json'), error: /^train\.json: not valid JSON/ },
  { name: 'export-recipe: --out names a file', args: ['--dataset', 'train.json', '--model', tinyBertDir, '--out', 'recipe'], setup: (d) => (writeSquad(d), writeFileSync(path.join(d, 'recipe'), '')), error: /recipe is a file; --out takes a folder for the recipe$/ },
  { name: 'export-recipe: a model that is neither a folder nor a Hub id', args: ['--dataset', 'train.json', '--model', 'not a model', '--out', 'recipe'], setup: writeSquad, error: /^--model 'not a model' is neither a folder nor a Hugging Face model id$/ },

  { name: 'predict: --nbest-out into a folder that does not exist', args: ['--model', tinyBertDir, '--data', 'data.json', '--out', 'pred.json', '--nbest-out', 'missing/nbest.json'], setup: (d) => writeSquad(d, 'data.json'), error: /^--nbest-out missing\/nbest\.json: the folder .*missing does not exist$/ },
  { name: 'predict: --null-odds-out names a folder', args: ['--model', tinyBertDir, '--data', 'data.json', '--out', 'pred.json', '--null-odds-out', 'odds'], setup: (d) => (writeSquad(d, 'data.json'), mkdirSync(path.join(d, 'odds'))), error: /^--null-odds-out odds is a folder; give a file name$/ },
  { name: 'predict: data that is not JSON', args: ['--model', tinyBertDir, '--data', 'data.json', '--out', 'pred.json'], setup: notJson('data.json'), error: /^data\.json: not valid JSON/ },
  { name: 'predict: --max-seq-length longer than the model has positions', args: ['--model', tinyBertDir, '--data', 'data.json', '--out', 'pred.json', '--max-seq-length', '100000'], setup: (d) => writeSquad(d, 'data.json'), error: /^--max-seq-length 100000 is longer than the model's 512 positions/ },
  {
    name: 'predict: weights holding Infinity are named before any backend line',
    args: ['--model', 'model', '--data', 'data.json', '--out', 'pred.json', '--backend', 'wasm'],
    setup: (d) => (writeSquad(d, 'data.json'), poisonModel(d, 'qa_outputs.bias', Infinity)),
    error: /^qa_outputs\.bias in model\.safetensors holds Infinity \(element 0; 1 of 2 values are not finite\)/,
  },
  {
    name: 'predict: a model whose logits overflow is refused, not answered',
    args: ['--model', 'model', '--data', 'data.json', '--out', 'pred.json', '--backend', 'wasm', ...SMALL_WINDOWS],
    setup: (d) => (writeSquad(d, 'data.json'), poisonModel(d, 'qa_outputs.weight', 3e38, { all: true })),
    error: /^the model gave a non-finite (start|end) logit \((NaN|-?Infinity) at token \d+ of window \d+, question "\w+"\): its weights or the backend computing it are broken, so no answer is given$/,
    after: true,
  },
  {
    name: 'predict: weights holding NaN, on ONNX Runtime (the default), build no graph',
    args: ['--model', 'model', '--data', 'data.json', '--out', 'pred.json', ...SMALL_WINDOWS],
    setup: (d) => (writeSquad(d, 'data.json'), poisonModel(d, 'bert.embeddings.word_embeddings.weight', NaN)),
    error: /^bert\.embeddings\.word_embeddings\.weight in model\.safetensors holds NaN \(element 0; 1 of 976704 values are not finite\)/,
  },
  {
    name: 'predict: a model whose logits overflow on ONNX Runtime is refused too',
    args: ['--model', 'model', '--data', 'data.json', '--out', 'pred.json', '--backend', 'onnx', '--provider', 'cpu', ...SMALL_WINDOWS],
    setup: (d) => (writeSquad(d, 'data.json'), poisonModel(d, 'qa_outputs.weight', 3e38, { all: true })),
    error: /^the model gave a non-finite (start|end) logit \((NaN|-?Infinity) at token \d+ of window \d+, question "\w+"\): /,
    after: true,
    // The graph ONNX Runtime ran is kept beside the model by design (a cache, not an output).
    ignore: /^model\/onnx(\/|$)/,
  },
  {
    name: 'predict: a sharded checkpoint whose index names a missing shard',
    args: ['--model', 'model', '--data', 'data.json', '--out', 'pred.json', '--backend', 'wasm'],
    setup: (d) => (writeSquad(d, 'data.json'), shardedWithMissingShard(d)),
    error: /lists shard model-00002-of-00002\.safetensors .* but it is missing from model$/,
  },

  { name: 'ask: a context file that does not exist', args: ['--model', tinyBertDir, '--context-file', 'missing.txt', '--question', 'Why?'], error: /^missing\.txt: no such file$/ },
  { name: 'ask: --max-seq-length longer than the model has positions', args: ['--model', tinyBertDir, '--context', 'Text.', '--question', 'Why?', '--max-seq-length', '4096'], error: /^--max-seq-length 4096 is longer than the model's 512 positions/ },
  { name: 'tokenize: a file that does not exist', args: ['--model', tinyBertDir, '--file', 'missing.txt'], error: /^missing\.txt: no such file$/ },
  { name: 'tokenize: a file that is not UTF-8', args: ['--model', tinyBertDir, '--file', 'latin1.txt'], setup: (d) => writeFileSync(path.join(d, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])), error: /^latin1\.txt: not valid UTF-8 text \(first bad byte at offset 3\)$/ },
  { name: 'evaluate: data that is not JSON', args: ['--data', 'data.json', '--predictions', 'pred.json'], setup: (d) => (notJson('data.json')(d), writeFileSync(path.join(d, 'pred.json'), '{}')), error: /^data\.json: not valid JSON/ },
  { name: 'forward: --out into a folder that does not exist, before the model runs', args: ['--model', tinyBertDir, '--inputs', 'in.json', '--out', 'missing/out.json'], setup: (d) => writeFileSync(path.join(d, 'in.json'), '{"input_ids": [[101, 102]]}'), error: /^--out missing\/out\.json: the folder .*missing does not exist$/ },
  { name: 'generate: --out into a folder that does not exist', args: ['docs', '--out', 'missing/pairs.json'], setup: writeDocs, error: /^--out missing\/pairs\.json: the folder .*missing does not exist$/ },
  { name: 'frobnicate: an unknown command', args: [], error: /^unknown command 'frobnicate'; run 'spantune --help' for the list of commands$/ },
];
const rows: Row[] = issueRows.map((row) => ({ ...row, args: [row.name.split(':')[0]!, ...row.args] }));
/** The sweep's rows fail at flag parsing: they run main() in this process (a child process each would take minutes). */
const sweepRows: Row[] = [];

function writeDocs(dir: string): void {
  mkdirSync(path.join(dir, 'docs'));
  writeFileSync(path.join(dir, 'docs/tides.md'), '# Tides\n\nThe tide rises twice a day. The Moon causes the tides on Earth.\n');
}

// ---------------------------------------------------------------------------------------------
// The numeric flags of every command.

const SAFE = Number.MAX_SAFE_INTEGER;
/** A wrong value and its message: the end of "--flag must be …", or the whole message. */
type Check = [value: string, message: string | RegExp];
const integer = (min: number): Check[] => [
  ...(min > 0 ? [['0', `at least ${min}, got '0'`] as Check] : []),
  ['-1', `at least ${min}, got '-1'`],
  ['1e300', `at most ${SAFE}, got '1e300'`],
  ['2.5', `an integer, got '2.5'`],
  ['abc', `an integer, got 'abc'`],
];
const nonNegative: Check[] = [['-1', `at least 0, got '-1'`], ['abc', `a number, got 'abc'`]];
const anyNumber: Check[] = [['abc', `a number, got 'abc'`], ['', `a number, got ''`]];

/** The window flags; with a model to check, a window longer than its 512 positions too. */
const windowFlags = (command: string, withModel: boolean): Record<string, Check[]> => ({
  'max-seq-length': [...integer(8), ...(withModel ? [['100000', /^--max-seq-length 100000 is longer than the model's 512 positions/] as Check] : [])],
  'doc-stride': [...integer(0), ['384', new RegExp(`^spantune ${command}: --doc-stride 384 must be smaller than --max-seq-length 384 `)]],
  'max-query-length': [...integer(1), ['382', new RegExp(`^spantune ${command}: --max-seq-length 384 leaves no room for context after a question of up to --max-query-length 382 tokens`)]],
});
const trainingFlags = (command: string, withModel: boolean): Record<string, Check[]> => ({
  epochs: [['0', `more than 0, got '0'`], ['-1', `more than 0, got '-1'`], ['1e300', `at most 1000000, got '1e300'`], ['abc', `a number, got 'abc'`]],
  'max-steps': integer(1),
  'batch-size': integer(1),
  'grad-accum': integer(1),
  'learning-rate': nonNegative,
  'warmup-ratio': [['-1', `at least 0, got '-1'`], ['1.5', `at most 1, got '1.5'`], ['abc', `a number, got 'abc'`]],
  'weight-decay': nonNegative,
  'max-grad-norm': nonNegative,
  seed: integer(0),
  dropout: [['-1', /--dropout must be in \[0, 1\), got -1$/], ['1e300', /--dropout must be in \[0, 1\), got 1e\+300$/], ['abc', `a number, got 'abc'`]],
  'validation-split': [['0', /between 0 and 1, got 0$/], ['-1', /between 0 and 1, got -1$/], ['1e300', /between 0 and 1, got 1e\+300$/], ['abc', `a number, got 'abc'`]],
  ...windowFlags(command, withModel),
});
const threadChecks: Check[] = ['0', '-1', '1e300', 'abc'].map((value) => [value, new RegExp(`^--threads must be a whole number of threads from 1 to 1024, got '${value}'$`)]);
const answerFlags = (command: string): Record<string, Check[]> => ({
  ...windowFlags(command, true),
  'n-best-size': integer(1),
  'max-answer-length': integer(1),
  'batch-size': integer(1),
  'null-score-diff-threshold': anyNumber,
  threads: threadChecks,
});

interface SweepGroup {
  command: string;
  /** A valid command line that the flag is added to. */
  base: string[];
  setup?: (dir: string) => void;
  flags: Record<string, Check[]>;
}
const LLM = ['--llm-endpoint', 'http://127.0.0.1:9/v1', '--llm-model', 'some-model'];
const sweep: SweepGroup[] = [
  { command: 'train', base: TRAIN, setup: writeSquad, flags: { ...trainingFlags('train', true), 'eval-every': integer(1), 'early-stopping-patience': integer(1) } },
  // No model is loaded: a window of any length is a valid request for the cluster.
  { command: 'export-recipe', base: ['--dataset', 'train.json', '--model', tinyBertDir, '--out', 'recipe'], setup: writeSquad, flags: trainingFlags('export-recipe', false) },
  { command: 'predict', base: ['--model', tinyBertDir, '--data', 'data.json', '--out', 'pred.json', '--nbest-out', 'nbest.json'], setup: (d) => writeSquad(d, 'data.json'), flags: answerFlags('predict') },
  { command: 'ask', base: ['--model', tinyBertDir, '--context', 'The Moon causes the tides.', '--question', 'What causes the tides?'], flags: { ...answerFlags('ask'), 'top-k': integer(1) } },
  { command: 'forward', base: ['--model', tinyBertDir, '--inputs', 'in.json', '--out', 'out.json'], setup: (d) => writeFileSync(path.join(d, 'in.json'), '{"input_ids": [[101, 102]]}'), flags: { threads: threadChecks } },
  { command: 'evaluate', base: ['--data', 'data.json', '--predictions', 'pred.json'], setup: (d) => (writeSquad(d, 'data.json'), writeFileSync(path.join(d, 'pred.json'), '{}')), flags: { 'na-prob-thresh': anyNumber } },
  {
    command: 'generate',
    base: ['docs', '--out', 'pairs.json'],
    setup: writeDocs,
    flags: {
      negatives: [['-1', `at least 0, got '-1'`], ['1e300', /^spantune generate: --negatives must be between 0 and 1, got 1e\+300$/], ['abc', `a number, got 'abc'`]],
      'max-per-passage': integer(1),
      'max-file-size': integer(1),
      seed: integer(0),
    },
  },
  {
    command: 'generate',
    base: ['docs', '--out', 'pairs.json', '--filter-model', tinyBertDir],
    setup: writeDocs,
    flags: {
      'filter-min-f1': [['-1', `at least 0, got '-1'`], ['1e300', /^spantune generate: --filter-min-f1: the round-trip filter's least F1 must be between 0 and 1, got 1e\+300$/], ['abc', `a number, got 'abc'`]],
    },
  },
  {
    command: 'generate',
    base: ['docs', '--out', 'pairs.json', ...LLM],
    setup: writeDocs,
    flags: {
      'llm-questions': integer(1),
      'llm-max-requests': integer(1),
      'llm-max-tokens': integer(1),
      'llm-timeout': [['0', `at least 0.001, got '0'`], ['-1', `at least 0.001, got '-1'`], ['abc', `a number, got 'abc'`], ['1e300', `at most 86400, got '1e300'`], ['86401', `at most 86400, got '86401'`]],
    },
  },
];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
for (const { command, base, setup, flags } of sweep) {
  for (const [flag, checks] of Object.entries(flags)) {
    for (const [value, message] of checks) {
      const error = typeof message === 'string' ? new RegExp(`^spantune ${command}: --${flag} must be ${escape(message)}$`) : message;
      // The value after a space, so that a negative one must reach the range check, not pass for a flag.
      sweepRows.push({ name: `${command} --${flag} ${value === '' ? "''" : value}`, args: [command, ...base, `--${flag}`, value], setup, error });
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Every path under `dir`, hidden ones included, with its kind and size. */
function snapshot(dir: string, ignore?: RegExp): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const full = path.join(folder, name);
      const info = statSync(full);
      if (ignore?.test(path.relative(dir, full))) continue;
      out.push(`${path.relative(dir, full)}${info.isDirectory() ? '/' : ` ${info.size}`}`);
      if (info.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** Runs main() in `dir` as the working directory, capturing what it writes. */
async function runInProcess(args: string[], dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  const cwd = process.cwd();
  // The command writes strings; the test runner's own output (binary chunks) passes through.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stdout += chunk), true) : writeOut.call(process.stdout, chunk as Uint8Array, ...(rest as []))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stderr += chunk), true) : writeErr.call(process.stderr, chunk as Uint8Array, ...(rest as []))) as typeof process.stderr.write;
  process.chdir(dir);
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.chdir(cwd);
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

async function check(row: Row, dir: string, run: (args: string[], dir: string) => Promise<{ code: number | null; stdout: string; stderr: string }>): Promise<void> {
  mkdirSync(dir);
  row.setup?.(dir);
  const before = snapshot(dir, row.ignore);
  const { code, stdout, stderr } = await run(row.args, dir);
  const lines = stderr.split(/\r?\n|\r/).filter((line) => line.trim() !== '');
  assert.equal(code, 2, stderr);
  assert.match(lines.at(-1) ?? '', /^error: /, stderr);
  assert.match(lines.at(-1)!.slice('error: '.length), row.error, stderr);
  assert.doesNotMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
  if (!row.after) assert.equal(lines.length, 1, `the error alone on stderr:\n${stderr}`);
  assert.equal(stdout, '');
  assert.deepEqual(snapshot(dir, row.ignore), before, 'no file or folder created or changed');
}

describe('bad input through the spantune command: exit code 2, the error as the last stderr line, no stack trace, nothing created', { concurrency: 3 }, () => {
  rows.forEach((row, index) => test(row.name, () => check(row, path.join(root, `row-${index}`), (args, dir) => cli.run(args, { cwd: dir }))));
});

describe('numeric flags of every command with 0, a negative, a huge value and a non-number', () => {
  sweepRows.forEach((row, index) => test(row.name, () => check(row, path.join(root, `sweep-${index}`), runInProcess)));
});

/**
 * `spantune train` as a user runs it: the bin in a child process, starting the engine process beside
 * it, both built from the current sources (test/support/cli.ts). Checks --help, flag errors (exit 2,
 * one line), the --log and --dump-features formats (a run on ONNX Runtime, the default), a dataset with no usable example, and what a run
 * that fails once it has started keeps.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { buildCli, type BuiltCli, type CliResult } from '../../support/cli';
import { tempDir, tinyBertDir, writeJson, xquadSubset } from '../../support/training-fixtures';

const dir = tempDir('train-cli');
let cli: BuiltCli;
before(async () => {
  cli = await buildCli();
});

/** Runs the CLI without blocking this process (the engine it starts must not starve). */
function spantune(...args: string[]): Promise<CliResult> {
  return cli.run(args);
}

const readJsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('spantune train --help and flag errors', () => {
  test('--help prints the usage with every flag of the issue, exit 0', async () => {
    const { code, stdout } = await spantune('train', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: spantune train --model DIR --train TRAIN\.json --output DIR/);
    const flags = ['--validation', '--validation-split', '--epochs', '--max-steps', '--batch-size', '--grad-accum', '--learning-rate', '--warmup-ratio',
      '--weight-decay', '--max-grad-norm', '--seed', '--dropout', '--eval-every', '--early-stopping-patience', '--max-seq-length', '--doc-stride',
      '--version-2-with-negative', '--backend', '--log', '--dump-features', '--resume'];
    for (const flag of flags) assert.ok(stdout.includes(flag), `usage mentions ${flag}`);
  });

  const common = ['--model', tinyBertDir, '--train', 'x.json', '--output', path.join(dir, 'unused')];
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['--bogus'], /^error: spantune train: Unknown option '--bogus'/],
    ['a missing --model', ['--train', 'x.json', '--output', 'o'], /^error: spantune train: --model is required$/],
    ['a learning rate that is not a number', [...common, '--learning-rate', 'fast'], /^error: spantune train: --learning-rate must be a number, got 'fast'$/],
    ['a fractional batch size', [...common, '--batch-size', '2.5'], /^error: spantune train: --batch-size must be an integer, got '2\.5'$/],
    ['a validation split of 1.5', [...common, '--validation-split', '1.5'], /^error: spantune train: --validation-split must be between 0 and 1, got 1\.5$/],
    ['both validation flags', [...common, '--validation', 'v.json', '--validation-split', '0.2'], /^error: spantune train: give --validation or --validation-split, not both$/],
    ['a dropout of 1', [...common, '--dropout', '1'], /^error: spantune train: --dropout must be in \[0, 1\), got 1$/],
    ['an unknown backend', [...common, '--backend', 'tpu'], /^error: unknown backend 'tpu': choose one of auto, onnx, tensorflow-gpu, tensorflow, wasm, cpu$/],
  ];
  for (const [what, args, expected] of cases) {
    test(`${what}: exit 2 with one line`, async () => {
      const { code, stdout, stderr } = await spantune('train', ...args);
      assert.equal(code, 2, stderr);
      assert.equal(stdout, '');
      assert.equal(stderr.split('\n').filter(Boolean).length, 1, stderr);
      assert.match(stderr.trimEnd(), expected);
    });
  }
});

describe('spantune train runs', () => {
  test('--log has a line per step, evaluation and the end; --dump-features has the features, then the batches', async () => {
    const trainFile = writeJson(path.join(dir, 'train.json'), xquadSubset(1, { questionsPerParagraph: 7 }));
    const validationFile = writeJson(path.join(dir, 'validation.json'), xquadSubset(1, { skipParagraphs: 2, questionsPerParagraph: 3 }));
    const logFile = path.join(dir, 'logs', 'train.jsonl');
    const dumpFile = path.join(dir, 'features.jsonl');
    const { code, stdout, stderr } = await spantune(
      'train', '--model', tinyBertDir, '--train', trainFile, '--validation', validationFile, '--output', path.join(dir, 'run'),
      '--epochs', '2', '--batch-size', '4', '--learning-rate', '1e-3', '--max-seq-length', '96', '--doc-stride', '32', '--dropout', '0',
      '--seed', '3', '--log', logFile, '--dump-features', dumpFile,
    );
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout) as { steps: number; totalSteps: number; trainFeatures: number; finalLoss: number };
    assert.equal(summary.steps, summary.totalSteps);
    assert.match(stderr, new RegExp(`step 1/${summary.totalSteps} .*loss \\d+\\.\\d{4} .*windows/s .*ETA`));
    assert.match(stderr, /^onnxruntime cpu, \d+ threads?\b/m, 'the bundled engine trains on ONNX Runtime by default');

    const log = readJsonLines(logFile);
    const steps = log.filter((l) => l.type === 'step');
    assert.deepEqual(steps.map((l) => l.step), Array.from({ length: summary.totalSteps }, (_, i) => i + 1));
    for (const line of steps) {
      assert.deepEqual(Object.keys(line), ['type', 'step', 'epoch', 'loss', 'lr', 'grad_norm', 'examples_per_s']);
      for (const key of ['epoch', 'loss', 'lr', 'grad_norm', 'examples_per_s']) assert.ok(Number.isFinite(line[key]), `${key} of ${JSON.stringify(line)}`);
    }
    assert.equal(steps[0]!.lr, 1e-3); // no warm-up: the first update uses the full rate
    assert.equal(steps.at(-1)!.loss, summary.finalLoss);
    const evals = log.filter((l) => l.type === 'eval');
    assert.deepEqual(evals.map((l) => l.step), [0, summary.totalSteps / 2, summary.totalSteps]); // base, then each epoch end
    for (const line of evals) assert.ok(typeof line.exact === 'number' && typeof line.f1 === 'number' && line.total === 3);
    assert.deepEqual({ type: log.at(-1)!.type, status: log.at(-1)!.status }, { type: 'end', status: 'finished' });
    // The model card beside the final model shows the base and the last validation scores.
    const card = readFileSync(path.join(dir, 'run', 'README.md'), 'utf8');
    const row = (line: Record<string, unknown>) => `${(line.exact as number).toFixed(2)} | ${(line.f1 as number).toFixed(2)} |`;
    assert.ok(card.includes(`| before fine-tuning (${tinyBertDir}) | ${row(evals[0]!)}`), card);
    assert.ok(card.includes(`| after fine-tuning | ${row(evals.at(-1)!)}`), card);

    const dump = readJsonLines(dumpFile);
    const firstBatch = dump.findIndex((l) => l.type === 'batch');
    const features = dump.slice(0, firstBatch);
    const batches = dump.slice(firstBatch);
    assert.equal(features.length, summary.trainFeatures);
    assert.ok(batches.every((l) => l.type === 'batch'), 'every feature line comes before the batch lines');
    features.forEach((f, i) => {
      assert.deepEqual(Object.keys(f), ['type', 'index', 'input_ids', 'token_type_ids', 'attention_mask', 'start_position', 'end_position']);
      assert.equal(f.index, i);
      for (const key of ['input_ids', 'token_type_ids', 'attention_mask'] as const) assert.equal((f[key] as number[]).length, 96);
      assert.equal((f.input_ids as number[])[0], 101); // [CLS]
      const start = f.start_position as number;
      const end = f.end_position as number;
      assert.ok(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end < 96);
    });
    // Steps numbered from 1, as in the log; each epoch's batches use every feature exactly once.
    assert.deepEqual(batches.map((b) => b.step), steps.map((s) => s.step));
    const perEpoch = summary.totalSteps / 2;
    for (const epoch of [0, 1]) {
      const used = batches.slice(epoch * perEpoch, (epoch + 1) * perEpoch).flatMap((b) => (b.micro_batches as number[][]).flat());
      assert.deepEqual([...used].sort((a, b) => a - b), Array.from({ length: features.length }, (_, i) => i));
    }
  });

  test('a training file with no usable example: exit 2, the reason on one line', async () => {
    const context = 'Lisbon is on the Tagus.';
    const trainFile = writeJson(path.join(dir, 'bad.json'), {
      version: '1.1',
      data: [{ paragraphs: [{ context, qas: [{ id: 'a', question: 'Which river?', answers: [{ text: 'Tagus', answer_start: 0 }] }] }] }],
    });
    const { code, stdout, stderr } = await spantune('train', '--model', tinyBertDir, '--train', trainFile, '--validation-split', '0.5', '--output', path.join(dir, 'bad'), '--backend', 'wasm');
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    const lastLine = stderr.trimEnd().split('\n').at(-1)!;
    assert.equal(lastLine, `error: ${trainFile} has no usable training example (1 problem(s): data[0].paragraphs[0].qas[0].answers[0]: answer_start 0 points at "Lisbo", but the answer text is "Tagus")`);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    assert.equal(stderr.trimEnd().split('\n').length, 1, 'the error alone');
    assert.equal(existsSync(path.join(dir, 'bad')), false, 'no output folder');
  });

  test('a run that fails once it has started keeps its --log, ending with the failure, and no temporary file', async () => {
    const trainFile = writeJson(path.join(dir, 'diverge.json'), xquadSubset(2, { questionsPerParagraph: 4 }));
    const logDir = path.join(dir, 'diverge-logs');
    const { code, stderr } = await spantune(
      'train', '--model', tinyBertDir, '--train', trainFile, '--validation-split', '0.5', '--output', path.join(dir, 'diverge'), '--backend', 'wasm',
      '--max-seq-length', '64', '--doc-stride', '16', '--max-query-length', '16', '--batch-size', '2', '--learning-rate', '1e30', '--max-grad-norm', '0',
      '--log', path.join(logDir, 'train.jsonl'),
    );
    assert.equal(code, 2, stderr);
    assert.match(stderr, /^tensorflow\.js wasm\b/m, 'the run started: its notes are printed');
    assert.deepEqual(readdirSync(logDir), ['train.jsonl']);
    const log = readJsonLines(path.join(logDir, 'train.jsonl'));
    assert.equal(log[0]!.type, 'eval');
    const end = log.at(-1)!;
    assert.deepEqual([end.type, end.status], ['end', 'failed']);
    assert.match(end.reason as string, /^training stopped at step \d+: /);
    assert.equal(stderr.trimEnd().split('\n').at(-1), `error: ${end.reason as string}`);
  });
});

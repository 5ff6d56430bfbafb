/**
 * `spantune evaluate` end to end through the CLI's main(): stdout, stderr and the exit code, in process
 * (a child process per case costs seconds here), plus one real child process running the CLI source
 * with tsx. Expected scores are the official scripts' (see metrics-xquad.test.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { main } from '../../../src/cli/main';
import { loadXquad, perturbedPredictions, questionsOf, repoRoot, tempDir, v2NaProbText, v2Predictions, v2Variant, xquadPath } from './helpers';

/** Runs main() capturing what it writes. */
async function spantune(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write;
  const writeErr = process.stderr.write;
  // The command writes strings; the test runner's own messages (binary chunks) pass through untouched.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stdout += chunk), true) : writeOut.call(process.stdout, chunk as Uint8Array, ...(rest as []))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' ? ((stderr += chunk), true) : writeErr.call(process.stderr, chunk as Uint8Array, ...(rest as []))) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
}

function spantuneProcess(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/run.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = tempDir();
const xquad = loadXquad();
const write = (name: string, content: unknown) => {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const goldPredictions = write('gold.json', Object.fromEntries(questionsOf(xquad).map((q) => [q.id, q.answers[0]!.text])));
const perturbed = write('perturbed.json', perturbedPredictions(xquad));
const v2 = v2Variant(xquad);
const v2Data = write('v2.json', v2);
const v2Preds = v2Predictions(v2);
const v2PredFile = write('v2pred.json', v2Preds);
const naFile = write('na.json', v2NaProbText(v2, v2Preds, 'reversed'));

describe('spantune evaluate', () => {
  test('v1.1 data: gold against itself', async () => {
    const { code, stdout, stderr } = await spantune('evaluate', '--data', xquadPath, '--predictions', goldPredictions);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '{"exact_match": 100.0, "f1": 100.0}\n');
    assert.equal(stderr, '');
  });

  test('v1.1 data: perturbed predictions, missing ones reported on stderr', async () => {
    const { code, stdout, stderr } = await spantune('evaluate', '--data', xquadPath, '--predictions', perturbed);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '{"exact_match": 53.865546218487395, "f1": 71.19513408622078}\n');
    assert.equal(stderr.split('\n').filter((line) => /^Unanswered question \S+ will receive score 0\.$/.test(line)).length, 119);
  });

  test('v2.0 data with a no-answer file and a threshold', async () => {
    const { code, stdout, stderr } = await spantune('evaluate', '--data', v2Data, '--predictions', v2PredFile, '--na-prob-file', naFile, '--na-prob-thresh', '0.55');
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as Record<string, number>;
    assert.deepEqual(Object.keys(result), [
      'exact', 'f1', 'total', 'HasAns_exact', 'HasAns_f1', 'HasAns_total', 'NoAns_exact', 'NoAns_f1', 'NoAns_total',
      'best_exact', 'best_exact_thresh', 'best_f1', 'best_f1_thresh',
    ]);
    assert.equal(result.exact, 65.29411764705883);
    assert.equal(result.best_exact, 66.30252100840336);
    assert.match(stdout, /^\{\n {2}"exact": 65\.29411764705883,\n {2}"f1": 71\.36456735443389,\n {2}"total": 1190,/);
  });

  test('--python-3-11-sum reproduces the script under Python 3.11', async () => {
    const { stdout } = await spantune('evaluate', '--data', v2Data, '--predictions', v2PredFile, '--python-3-11-sum');
    assert.match(stdout, /"f1": 78\.87679858725326,/);
  });

  test('--version-2-with-negative scores v1.1 data with the v2.0 script', async () => {
    const { code, stdout } = await spantune('evaluate', '--data', xquadPath, '--predictions', goldPredictions, '--version-2-with-negative');
    assert.equal(code, 0);
    assert.equal(stdout, '{\n  "exact": 100.0,\n  "f1": 100.0,\n  "total": 1190,\n  "HasAns_exact": 100.0,\n  "HasAns_f1": 100.0,\n  "HasAns_total": 1190\n}\n');
  });

  test('bad input: one line on stderr, exit code 2, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['--predictions', goldPredictions], /^error: spantune evaluate: --data is required$/],
      [['--data', xquadPath, '--predictions', path.join(dir, 'nope.json')], /nope\.json: no such file$/],
      [['--data', xquadPath, '--predictions', write('bad.json', '{"a": }')], /bad\.json: not valid JSON at line 1, column 7: /],
      [['--data', xquadPath, '--predictions', write('list.json', '["a"]')], /must be a JSON object mapping question ids to answer strings$/],
      [['--data', xquadPath, '--predictions', write('num.json', '{"a": 3}')], /the prediction for question "a" must be a string, got 3$/],
      [['--data', write('nodata.json', '{"version": "1.1"}'), '--predictions', goldPredictions], /nodata\.json: no "data" field/],
      [['--data', xquadPath, '--predictions', goldPredictions, '--na-prob-thresh', '0.5'], /belong to the SQuAD v2\.0 metric/],
      [['--data', xquadPath, '--predictions', goldPredictions, '--na-prob-thresh', 'high'], /--na-prob-thresh must be a number, got 'high'/],
      [['--data', v2Data, '--predictions', perturbed], /the predictions lack \d+ of 1190 questions/],
    ];
    for (const [args, message] of cases) {
      const { code, stdout, stderr } = await spantune('evaluate', ...args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.equal(stdout, '');
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
      assert.match(stderr.trimEnd(), message);
    }
  });

  test('a real child process: exit code 2 and one line for a bad file, JSON on stdout otherwise', () => {
    const bad = spantuneProcess('evaluate', '--data', xquadPath, '--predictions', path.join(dir, 'nope.json'));
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^error: \S+nope\.json: no such file\n$/);
    const good = spantuneProcess('evaluate', '--data', xquadPath, '--predictions', goldPredictions);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, '{"exact_match": 100.0, "f1": 100.0}\n');
  });

  test('--help prints the usage', async () => {
    const { code, stdout } = await spantune('evaluate', '--help');
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: spantune evaluate --data SQUAD\.json --predictions PRED\.json/);
  });
});

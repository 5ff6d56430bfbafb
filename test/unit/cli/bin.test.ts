/**
 * The installed `spantune` command (package.json "bin") runs the CLI and passes its exit code on. The
 * bin file is the repository's, run beside bundles built from the current sources (never dist/).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';

import { buildCli, type BuiltCli } from '../../support/cli';

const root = path.resolve(__dirname, '../../..');
let cli: BuiltCli;
before(async () => {
  cli = await buildCli();
});

test('the bin named in package.json is the one run here', () => {
  const bin = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { bin: { spantune: string } }).bin.spantune;
  assert.equal(readFileSync(cli.bin, 'utf8'), readFileSync(path.join(root, bin), 'utf8'));
});

test('spantune --help lists the commands', async () => {
  const run = await cli.run(['--help']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Usage: spantune <command>/);
  for (const command of ['train', 'predict', 'evaluate', 'ask', 'generate', 'download']) assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
});

test('an unknown command exits with code 2 and one line', async () => {
  const run = await cli.run(['frobnicate']);
  assert.equal(run.code, 2);
  assert.equal(run.stderr, "error: unknown command 'frobnicate'; run 'spantune --help' for the list of commands\n");
});

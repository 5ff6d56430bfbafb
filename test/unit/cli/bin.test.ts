/** The installed `spantune` command (package.json "bin") runs the CLI and passes its exit code on. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, require(path.join(root, 'package.json')).bin.spantune as string);

before(() => {
  if (!existsSync(path.join(root, 'dist/cli.js'))) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'ignore' });
});

test('spantune --help lists the commands', () => {
  const run = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: spantune <command>/);
  for (const command of ['train', 'predict', 'evaluate', 'ask', 'generate', 'download']) assert.match(run.stdout, new RegExp(`^  ${command} `, 'm'));
});

test('an unknown command exits with code 2', () => {
  const run = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown command 'frobnicate'/);
});

/** package.json's settings agree with the code: defaults shared with the CLI, include = what generation reads. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import picomatch from 'picomatch';
import { trainingHyperparameters } from '../../../src/cli/training-flags';
import { documentGlobs, formatOf } from '../../../src/engine/generate/formats';
import { TRAINING_DEFAULTS } from '../../../src/engine/train/defaults';

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8'));
const properties = manifest.contributes.configuration.properties as Record<string, { default: unknown }>;

test('the default spantune.include is every kind of document generation reads', () => {
  assert.deepEqual(properties['spantune.include']!.default, documentGlobs());
  const included = picomatch(documentGlobs(), { dot: true });
  for (const file of ['docs/a.md', 'a.txt', 'x/y.rst', 'guide.adoc', 'site/index.html', 'src/a.ts', 'lib/b.py', 'c/d.go', 'e.rs', 'f.java', 'g.cpp', 'h.cs', 'sub/README']) {
    assert.ok(formatOf(file), `${file} is read by generation`);
    assert.ok(included(file), `${file} is included by default`);
  }
  assert.equal(included('image.png'), false);
});

test('the training settings exist with spantune train\'s defaults', () => {
  const cli = trainingHyperparameters('train', {});
  assert.deepEqual(
    { warmupRatio: cli.warmupRatio, weightDecay: cli.weightDecay, maxGradNorm: cli.maxGradNorm, gradAccum: cli.gradAccum },
    { ...TRAINING_DEFAULTS },
  );
  assert.equal(properties['spantune.warmupRatio']!.default, TRAINING_DEFAULTS.warmupRatio);
  assert.equal(properties['spantune.weightDecay']!.default, TRAINING_DEFAULTS.weightDecay);
  assert.equal(properties['spantune.maxGradNorm']!.default, TRAINING_DEFAULTS.maxGradNorm);
  assert.equal(properties['spantune.gradientAccumulation']!.default, TRAINING_DEFAULTS.gradAccum);
  // Off unless set, as the CLI's --eval-every, --early-stopping-patience and --dropout.
  assert.equal(properties['spantune.evalEvery']!.default, 0);
  assert.equal(properties['spantune.earlyStoppingPatience']!.default, 0);
  assert.equal(properties['spantune.dropout']!.default, null);
  assert.equal(cli.dropout, undefined);
});

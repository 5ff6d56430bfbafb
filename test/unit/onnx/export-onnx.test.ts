/**
 * spantune export-onnx: one self-contained file with Hugging Face's input and output names, checked
 * against the TensorFlow.js model before it appears; bad targets fail in one line and leave nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { createSession } from '../../../src/engine/onnx/session';
import { buildCli } from '../../support/cli';
import { copyFixtureModel } from '../../support/fixture-copy';

/** The CLI built from the current sources (never a dist/ that may be stale); `status` as spawnSync names it. */
const run = async (args: string[]) => {
  const { code, stdout, stderr } = await (await buildCli()).run(args);
  return { status: code, stdout, stderr };
};

test('export-onnx writes a checked, self-contained DistilBERT graph that ONNX Runtime runs on its own', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-export-'));
  const out = path.join(dir, 'model.onnx');
  const result = await run(['export-onnx', '--model', copyFixtureModel('tiny-distilbert-qa'), '--out', out]);
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(report.inputs, ['input_ids', 'attention_mask']);
  assert.deepEqual(report.outputs, ['start_logits', 'end_logits']);
  assert.ok(report.check.maxAbsDifference < 1e-4, JSON.stringify(report.check));
  assert.deepEqual(readdirSync(dir), ['model.onnx'], 'no temporary file left');

  const session = await createSession(out, { label: 'the exported file', provider: 'cpu', threads: 1 });
  const ids = session.tensor('int64', BigInt64Array.from([101n, 2054n, 102n, 2009n, 102n]), [1, 5]);
  const mask = session.tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n, 1n]), [1, 5]);
  const logits = await session.run({ input_ids: ids, attention_mask: mask });
  assert.deepEqual(logits.start_logits!.dims, [1, 5]);
  await session.release();
});

test('export-onnx into a missing folder fails in one line, with exit 2 and no file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-export-'));
  const result = await run(['export-onnx', '--model', copyFixtureModel('tiny-bert-qa'), '--out', path.join(dir, 'missing', 'model.onnx')]);
  assert.equal(result.status, 2);
  assert.match(result.stderr.trim(), /^error: .*missing.*does not exist$/);
  assert.deepEqual(readdirSync(dir), []);
});

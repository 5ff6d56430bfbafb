/**
 * The CPU provider's optimized copy of a kept graph: saved by the first session, opened by later
 * ones with optimization off, giving Hugging Face's logits all the same; removed and made again
 * when damaged or saved by another ONNX Runtime version, and gone with the graph it copies.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { discardGraph } from '../../../src/engine/onnx/graph-cache';
import { optimizedGraphFile, openOptimizedCpuSession } from '../../../src/engine/onnx/optimized-graph';
import { computeOnnxLogits, openOnnxQaModel } from '../../../src/engine/onnx/qa-logits';
import { loadOnnxRuntime, type OrtSession, type OrtSessionOptions } from '../../../src/engine/onnx/runtime';
import type { QaFeature } from '../../../src/engine/qa/features';
import { copyFixtureModel } from '../../support/fixture-copy';

const shared = path.resolve(__dirname, '../../../../shared');
const golden = JSON.parse(readFileSync(path.join(shared, 'fixtures/golden_forward_bert.json'), 'utf8')).models['tiny-bert-qa'].cases as {
  input_ids: number[][];
  token_type_ids?: number[][];
  attention_mask: number[][];
  start_logits_f32: number[][];
  end_logits_f32: number[][];
}[];

const ort = loadOnnxRuntime().ort;
const version = ort.env.versions.common;
const onnxFiles = (model: string) => readdirSync(path.join(model, 'onnx')).sort();

/** The golden cases as windows (only the fields the logits need). */
const windows = golden.flatMap((c) => c.input_ids.map((ids, row) => ({
  inputIds: ids,
  attentionMask: c.attention_mask[row]!,
  tokenTypeIds: c.token_type_ids?.[row] ?? ids.map(() => 0),
}) as unknown as QaFeature));
const want = golden.flatMap((c) => c.input_ids.map((_, row) => ({ start: c.start_logits_f32[row]!, end: c.end_logits_f32[row]! })));

/** Opens the model's CPU session and returns the largest |logit - golden|. */
async function goldenError(model: string, logs: string[] = []): Promise<{ error: number; file: string }> {
  const opened = await openOnnxQaModel(model, { provider: 'cpu', threads: 1, onLog: (line) => logs.push(line) });
  try {
    // One window per run, cut at its last attended token: compare the positions that attend.
    const logits = await computeOnnxLogits(opened.session, windows, { batchSize: 1 });
    let error = 0;
    want.forEach((w, i) => {
      const attended = logits.start[i]!.length;
      assert.ok(attended > 1 && attended <= w.start.length);
      for (let t = 0; t < attended; t++) {
        error = Math.max(error, Math.abs(logits.start[i]![t]! - w.start[t]!), Math.abs(logits.end[i]![t]! - w.end[t]!));
      }
    });
    return { error, file: opened.graph.file };
  } finally {
    await opened.session.release();
  }
}

test('the first CPU session keeps the optimized graph; the next opens it unoptimized, with the golden logits', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const first = await goldenError(model);
  assert.ok(first.error < 1e-5, `first session: max |Δ logit| = ${first.error}`);
  const optimized = optimizedGraphFile(first.file, version);
  assert.ok(onnxFiles(model).includes(path.basename(optimized)), onnxFiles(model).join(', '));
  assert.ok(onnxFiles(model).includes(`${path.basename(optimized)}.data`));
  assert.deepEqual(onnxFiles(model).filter((f) => f.startsWith('.')), [], 'no staging folder left');

  // The later session opens the copy, optimization off.
  const opened: { file: string; level?: string }[] = [];
  const spy = (file: string, options: OrtSessionOptions) => {
    opened.push({ file, level: options.graphOptimizationLevel });
    return ort.InferenceSession.create(file, options) as Promise<OrtSession>;
  };
  const session = await openOptimizedCpuSession(spy, first.file, { executionProviders: ['cpu'], intraOpNumThreads: 1 }, version);
  await session.release();
  assert.deepEqual(opened, [{ file: optimized, level: 'disabled' }]);

  const second = await goldenError(model);
  assert.ok(second.error < 1e-5, `session of the optimized copy: max |Δ logit| = ${second.error}`);
});

test('a damaged optimized copy is removed and made again, saying so; copies of other versions go', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const { file } = await goldenError(model);
  const optimized = optimizedGraphFile(file, version);
  writeFileSync(optimized, 'not an ONNX model');
  const older = optimizedGraphFile(file, '0.0.1');
  writeFileSync(older, 'an optimized graph of an older ONNX Runtime');
  writeFileSync(`${older}.data`, '');

  const logs: string[] = [];
  const again = await goldenError(model, logs);
  assert.ok(again.error < 1e-5, `max |Δ logit| = ${again.error}`);
  assert.match(logs.join('\n'), /the optimized graph .*\.ort-.*-cpu\.onnx does not load .*; optimizing the graph again/);
  assert.notEqual(readFileSync(optimized, 'utf8').slice(0, 17), 'not an ONNX model');
  assert.ok(!onnxFiles(model).some((f) => f.includes('.ort-0.0.1-')), onnxFiles(model).join(', '));
});

test('where the copy cannot be kept, the session opens all the same, says why, and leaves no staging folder', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const { file } = await goldenError(model);
  const optimized = optimizedGraphFile(file, version);
  rmSync(optimized);
  rmSync(`${optimized}.data`);
  // A folder where the copy's weights would go: the rename into place fails.
  mkdirSync(`${optimized}.data`);
  const logs: string[] = [];
  const session = await openOptimizedCpuSession((f, o) => ort.InferenceSession.create(f, o) as Promise<OrtSession>, file, { executionProviders: ['cpu'], intraOpNumThreads: 1 }, version, (line) => logs.push(line));
  await session.release();
  assert.match(logs.join('\n'), /cannot keep the optimized graph .*\.ort-.*-cpu\.onnx/);
  assert.ok(!onnxFiles(model).includes(path.basename(optimized)), 'no graph without its weights');
  assert.deepEqual(onnxFiles(model).filter((f) => f.startsWith('.')), []);
});

test('discarding a kept graph removes its optimized copies too', async () => {
  const model = copyFixtureModel('tiny-bert-qa');
  const { file } = await goldenError(model);
  assert.ok(onnxFiles(model).some((f) => f.includes('-cpu.onnx')));
  await discardGraph(file);
  assert.deepEqual(onnxFiles(model), []);
});

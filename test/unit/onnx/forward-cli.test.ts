/**
 * spantune forward: logits for token ids on ONNX Runtime by default and on TensorFlow.js with
 * --backend, both within 1e-5 of the Hugging Face goldens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildCli } from '../../support/cli';
import { copyFixtureModel } from '../../support/fixture-copy';
import { goldenCases } from '../../support/webgpu-qa';


for (const backend of ['auto', 'wasm']) {
  test(`forward --backend ${backend}: tiny BERT logits within 1e-5 of Hugging Face`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'spantune-forward-'));
    const model = copyFixtureModel('tiny-bert-qa');
    const c = goldenCases['tiny-bert-qa']!()[0]!;
    writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ input_ids: c.input_ids, attention_mask: c.attention_mask, token_type_ids: c.token_type_ids }));
    // The CLI built from the current sources, never a dist/ that may be stale.
    const result = await (await buildCli()).run(['forward', '--model', model, '--inputs', path.join(dir, 'in.json'), '--out', path.join(dir, 'out.json'), '--backend', backend]);
    assert.equal(result.code, 0, result.stderr);
    const out = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as { start_logits: number[][]; end_logits: number[][] };
    let worst = 0;
    c.start_logits_f32.forEach((row, i) => row.forEach((want, j) => (worst = Math.max(worst, Math.abs(out.start_logits[i]![j]! - want)))));
    c.end_logits_f32.forEach((row, i) => row.forEach((want, j) => (worst = Math.max(worst, Math.abs(out.end_logits[i]![j]! - want)))));
    assert.ok(worst < 1e-5, `max |Δ logit| = ${worst}`);
  });
}

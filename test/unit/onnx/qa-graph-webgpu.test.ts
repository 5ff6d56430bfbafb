/**
 * The question-answering graph on ONNX Runtime's WebGPU provider, run on this machine's CPU through
 * SwiftShader (a child process with the Vulkan environment, see test/support/webgpu.ts): logits
 * within 1e-5 of the Hugging Face goldens for BERT and DistilBERT, and the same answers to XQuAD
 * questions as the CPU provider. A machine without SwiftShader fails these tests; it does not skip them.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { runOnSwiftShader } from '../../support/webgpu';
import { xquadAnswers } from '../../support/webgpu-qa';

const child = path.join(__dirname, '../../support/webgpu-qa.ts');

test('tiny BERT and DistilBERT logits on the WebGPU provider match Hugging Face within 1e-5', async () => {
  const result = await runOnSwiftShader<Record<string, { error: number; provider: string }>>(child, ['logits'], 5 * 60_000);
  for (const [model, { error, provider }] of Object.entries(result)) {
    assert.equal(provider, 'webgpu', `${model} ran on ${provider}`);
    assert.ok(error < 1e-5, `${model}: max |Δ logit| = ${error}`);
  }
});

test('answers on the WebGPU provider are those of the CPU provider, exact substrings of the context', async () => {
  const count = 12;
  const webgpu = await runOnSwiftShader<Awaited<ReturnType<typeof xquadAnswers>>>(child, ['answers', String(count)], 5 * 60_000);
  assert.match(webgpu.backend, /^onnxruntime webgpu\b/);
  const cpu = await xquadAnswers('cpu', count);
  assert.equal(webgpu.answers.length, count);
  for (const a of webgpu.answers) assert.equal(a.text, a.context, `${a.id}: the answer is the text at its offsets`);
  assert.deepEqual(webgpu.answers.map((a) => [a.id, a.text, a.start, a.end]), cpu.answers.map((a) => [a.id, a.text, a.start, a.end]));
});

/**
 * Child-process half of the WebGPU question-answering checks (see webgpu.ts): the QA graph's logits
 * on the fixture cases and answers to XQuAD questions, on ONNX Runtime's WebGPU provider (forced:
 * SwiftShader is a software adapter, which the engine never picks on its own). Prints JSON.
 * Usage: node --import tsx test/support/webgpu-qa.ts logits|answers
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadQaWeights } from '../../src/engine/checkpoint/qa-weights';
import { buildQaGraph } from '../../src/engine/onnx/qa-graph';
import { createSession } from '../../src/engine/onnx/session';
import { runPrediction } from '../../src/engine/qa/predict';
import { flattenExamples, parseSquad } from '../../src/engine/squad/dataset';
import { copyFixtureModel, sharedFixtureModel } from './fixture-copy';

interface GoldenCase {
  input_ids: number[][];
  token_type_ids?: number[][];
  attention_mask: number[][];
  start_logits_f32: number[][];
  end_logits_f32: number[][];
}

const shared = path.resolve(__dirname, '../../../shared');
export const goldenCases: Record<string, () => GoldenCase[]> = {
  'tiny-bert-qa': () => JSON.parse(readFileSync(path.join(shared, 'fixtures/golden_forward_bert.json'), 'utf8')).models['tiny-bert-qa'].cases,
  'tiny-distilbert-qa': () => JSON.parse(readFileSync(path.join(__dirname, '../fixtures/golden_forward_distilbert.json'), 'utf8')).cases,
};

/** Largest |logit − golden| of a fixture model over its golden cases, on `provider`. */
export async function maxLogitError(model: string, provider: 'cpu' | 'webgpu'): Promise<{ error: number; provider: string }> {
  const { config, tensors } = await loadQaWeights(sharedFixtureModel(model));
  const graph = buildQaGraph(config, tensors);
  const session = await createSession(graph.bytes, { label: `model ${model}`, provider, threads: 1 });
  let worst = 0;
  try {
    for (const c of goldenCases[model]!()) {
      const matrix = (rows: number[][]) => session.tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, rows[0]!.length]);
      const feeds = { input_ids: matrix(c.input_ids), attention_mask: matrix(c.attention_mask), ...(graph.inputNames.includes('token_type_ids') ? { token_type_ids: matrix(c.token_type_ids ?? c.input_ids.map((r) => r.map(() => 0))) } : {}) };
      const out = await session.run(feeds);
      const [start, end] = [out.start_logits!.data as Float32Array, out.end_logits!.data as Float32Array];
      c.start_logits_f32.flat().forEach((want, i) => (worst = Math.max(worst, Math.abs(start[i]! - want))));
      c.end_logits_f32.flat().forEach((want, i) => (worst = Math.max(worst, Math.abs(end[i]! - want))));
    }
    return { error: worst, provider: session.provider };
  } finally {
    await session.release();
  }
}

/** Answers (text, offsets) to the first `count` XQuAD questions with the tiny BERT fixture on `provider`. */
export async function xquadAnswers(provider: 'cpu' | 'webgpu', count: number) {
  const file = path.join(shared, 'data/xquad-en/xquad.en.json');
  const examples = flattenExamples(parseSquad(readFileSync(file, 'utf8'), file, { purpose: 'predict' })).slice(0, count);
  const out = await runPrediction({
    modelDir: copyFixtureModel('tiny-bert-qa'), examples, provider, threads: 1,
    maxSeqLength: 384, docStride: 128, maxQueryLength: 64, nBestSize: 20, maxAnswerLength: 30, batchSize: 8, version2WithNegative: true, nullScoreDiffThreshold: 0,
  });
  return { backend: out.backend, answers: out.predictions.map((p) => ({ id: p.id, text: p.text, start: p.start, end: p.end, context: examples.find((e) => e.id === p.id)!.context.slice(p.start, p.end) })) };
}

async function main() {
  const result = process.argv[2] === 'answers'
    ? await xquadAnswers('webgpu', Number(process.argv[3] ?? 12))
    : { 'tiny-bert-qa': await maxLogitError('tiny-bert-qa', 'webgpu'), 'tiny-distilbert-qa': await maxLogitError('tiny-distilbert-qa', 'webgpu') };
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

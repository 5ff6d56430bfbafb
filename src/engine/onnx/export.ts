/**
 * `spantune export-onnx`: the model's question-answering graph as one self-contained .onnx file for
 * other tools (Python onnxruntime, onnxruntime-web, transformers.js). The file is written under a
 * temporary name, loaded back in ONNX Runtime and checked against an independent implementation of
 * the model (SpanTune's TensorFlow.js one) on a small input, and only then given its name.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import { tempSiblingPath } from '../fs/atomic';
import { buildFeatures } from '../qa/features';
import { loadQaWeights } from '../checkpoint/qa-weights';
import { buildQaGraph } from './qa-graph';
import { loadTokenizer } from '../tokenizer/load';
import { computeOnnxLogits } from './qa-logits';
import { createSession, type OnnxSession } from './session';

export interface ExportResult {
  out: string;
  bytes: number;
  inputs: string[];
  outputs: string[];
  nodes: number;
  /** The largest |logit difference| between the exported file and TensorFlow.js, when checked. */
  check?: { windows: number; maxAbsDifference: number; against: string };
}

/** Logits may differ by float32 rounding between two implementations; a wrong graph is off by far more. */
const CHECK_TOLERANCE = 1e-4;

export async function exportQaOnnx(modelDir: string, out: string, options: { check?: boolean } = {}): Promise<ExportResult> {
  const outDir = path.dirname(path.resolve(out));
  const stat = await fs.stat(outDir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UserError(`${out}: cannot write, the folder ${outDir} does not exist`);
  // Built here, weights inside (the kept graph has them in a file of their own).
  const { config, tensors } = await loadQaWeights(modelDir);
  const graph = buildQaGraph(config, tensors);
  const temp = tempSiblingPath(out);
  try {
    await fs.writeFile(temp, graph.bytes, { flag: 'wx' });
    const handle = await fs.open(temp, 'r+');
    await handle.sync();
    await handle.close();

    const session = await createSession(temp, { label: `the exported graph of ${modelDir}`, provider: 'cpu' });
    const result: ExportResult = { out, bytes: (await fs.stat(temp)).size, inputs: [...session.inputNames], outputs: [...session.outputNames], nodes: graph.nodeCount };
    try {
      if (options.check !== false) result.check = await checkAgainstTfjs(modelDir, session);
    } finally {
      await session.release();
    }
    await fs.rename(temp, out);
    return result;
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Runs two windows of different lengths (so the padding mask matters) through both implementations. */
async function checkAgainstTfjs(modelDir: string, session: OnnxSession): Promise<NonNullable<ExportResult['check']>> {
  const tokenizer = await loadTokenizer(modelDir);
  const examples = [
    { id: 'short', question: 'What does the check compare?', context: 'The check compares logits.', answers: [], isImpossible: false },
    { id: 'long', question: 'Where was the graph written?', context: 'SpanTune wrote the graph to a file beside the model, then loaded it again in ONNX Runtime to compare its logits with a second implementation.', answers: [], isImpossible: false },
  ];
  const features = buildFeatures(examples, tokenizer, { maxSeqLength: 64, docStride: 16, maxQueryLength: 32 }, 'predict');
  const onnx = await computeOnnxLogits(session, features, { batchSize: features.length });
  const { initBackend } = await import('../backend/select');
  const backend = await initBackend({ force: 'wasm' });
  const { loadQaModel } = await import('../model/load');
  const { computeLogits } = await import('../qa/tfjs-logits');
  const { disposeModel } = await import('../model/qa-model');
  const { model } = await loadQaModel(modelDir);
  try {
    const tfjs = await computeLogits(model, features, { batchSize: features.length });
    let worst = 0;
    features.forEach((_, i) => {
      for (const [a, b] of [[onnx.start[i]!, tfjs.start[i]!], [onnx.end[i]!, tfjs.end[i]!]] as const) {
        a.forEach((value, t) => (worst = Math.max(worst, Math.abs(value - b[t]!))));
      }
    });
    if (!(worst <= CHECK_TOLERANCE)) {
      throw new UserError(`the exported graph of ${modelDir} gives logits ${worst} away from SpanTune's TensorFlow.js model (tolerance ${CHECK_TOLERANCE}): the file was not written`);
    }
    return { windows: features.length, maxAbsDifference: worst, against: `tensorflow.js ${backend.name}` };
  } finally {
    disposeModel(model);
  }
}

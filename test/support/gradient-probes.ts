/**
 * Gradient checks of the ONNX training graph (src/engine/onnx/training-graph.ts) against central
 * finite differences of its own loss, on any ONNX Runtime provider. Split in two so that a provider
 * needing another process environment (WebGPU through SwiftShader) can measure in a child process and
 * be judged by the same assertions: `measureGradients` runs the graph, `gradientFailures` judges.
 *
 * The differences are taken in float32. The embedding tables (std 0.02) feed a LayerNorm that divides
 * by their spread, so a step there moves the loss about 30× more than the same step on the std-0.2
 * weights of the layers: h = 1e-3 there, 1e-2 elsewhere. The gradients then agree with the
 * differences within 0.3% + 2e-4, while the mistakes this guards against (a missing or doubled term, a
 * transposed weight, a gradient that ignores repeated ids) are off by 30% or more.
 */
import * as ort from 'onnxruntime-node';
import { parseModelConfig, type ModelConfig } from '../../src/engine/checkpoint/config';
import { parameterSpecs } from '../../src/engine/checkpoint/parameters';
import type { FloatTensor } from '../../src/engine/checkpoint/safetensors';
import { buildTrainingGraph, LOSS_OUTPUT, LOSS_WEIGHT_INPUT, type TrainingGraph } from '../../src/engine/onnx/training-graph';
import { dropoutMaskShape, fillDropoutMask } from '../../src/engine/train/dropout';
import { Rng } from '../../src/engine/train/rng';

export const SEQ = 16;
const PAD = 0;

/** Two windows: [CLS] question [SEP] context [SEP] [PAD]…, with one id used three times. */
export function probeBatch(vocabSize: number) {
  if (vocabSize < 32) throw new Error(`the probe batch needs a vocabulary of 32 ids or more, not ${vocabSize}`);
  // Ids spread over the table, away from the padding row; the special ids of bert-base-uncased where they exist.
  const id = (k: number) => (vocabSize > 3000 ? [2054, 2003, 1996, 3007, 1997, 3000, 1012, 2040, 2001, 2198, 2141, 1999, 3185, 2002][k]! : 5 + 2 * k);
  const [cls, sep] = vocabSize > 3000 ? [101, 102] : [2, 3];
  const repeated = id(0);
  const single = id(12);
  const rows = [
    [cls, repeated, id(1), id(2), sep, id(3), id(4), repeated, id(1), id(5), id(6), sep, PAD, PAD, PAD, PAD],
    [cls, id(7), id(8), repeated, sep, id(9), id(8), id(10), id(11), single, id(6), id(13), id(8), sep, PAD, PAD],
  ];
  return {
    rows,
    types: rows.map((row) => row.map((_, i) => (i > row.indexOf(sep) && row[i] !== PAD ? 1 : 0))),
    mask: rows.map((row) => row.map((v) => (v === PAD ? 0 : 1))),
    // The second window is unanswerable: both labels on [CLS].
    start: [7, 0],
    end: [9, 0],
    repeated,
    single,
    unused: vocabSize > 3000 ? 1000 : 4,
  };
}

/**
 * Weights as a Hugging Face checkpoint of `config` might hold them: matrices from N(0, 0.2²) so that
 * the layers matter, embeddings from N(0, 0.02²) (the padding row too: it must still get no
 * gradient), LayerNorm weights near 1, small biases.
 */
export function randomWeights(config: ModelConfig, seed: number): Map<string, FloatTensor> {
  const rng = new Rng(seed);
  const tensors = new Map<string, FloatTensor>();
  for (const { name, shape } of parameterSpecs(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.includes('embeddings.') && !name.includes('LayerNorm')) data = rng.normalArray(size, 0, 0.02);
    else if (/(LayerNorm|layer_norm)\.weight$/.test(name)) data = rng.normalArray(size, 1, 0.1);
    else if (name.endsWith('.bias')) data = rng.normalArray(size, 0, 0.05);
    else data = rng.normalArray(size, 0, 0.2);
    tensors.set(name, { shape, data });
  }
  return tensors;
}

/** A small config of either layout; `raw` holds config.json keys. */
export function smallConfig(raw: Record<string, unknown>): ModelConfig {
  return parseModelConfig({ hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, vocab_size: 40, max_position_embeddings: 24, ...raw });
}

export interface Measurements {
  architecture: string;
  vocabSize: number;
  hiddenSize: number;
  loss: number;
  /** One row per probed entry. */
  probes: { parameter: string; index: number; gradient: number; difference: number }[];
  /** Rows of the word table (and the padding row's influence on the loss). */
  wordRows: { repeated: number[]; single: number[]; unused: number[]; padding: number[] };
  paddingInfluence: number;
  /** Rows of the position table past the window (must get no gradient). */
  positionRowsPastWindow: number[];
  /** The weights that have a gradient output. */
  gradientWeights: string[];
  /** Every gradient, when asked for (small models). */
  gradients?: Record<string, number[]>;
}

export interface MeasureOptions {
  provider: 'cpu' | 'webgpu';
  /** Probed entries per parameter (the largest gradients). */
  perParameter: number;
  /** Dropout probability with fixed masks (0: none). */
  dropout?: number;
  /** Finite-difference steps: embedding tables, other weights (default 1e-3, 1e-2). */
  steps?: [embeddings: number, others: number];
  /** Return every gradient too. */
  keepGradients?: boolean;
}

const isEmbeddingTable = (name: string) => name.includes('embeddings.') && !name.includes('LayerNorm');

export async function measureGradients(config: ModelConfig, tensors: Map<string, FloatTensor>, options: MeasureOptions): Promise<Measurements> {
  const graph = buildTrainingGraph(config);
  const session = await ort.InferenceSession.create(graph.bytes, { executionProviders: [options.provider], logSeverityLevel: 3 });
  try {
    const batch = probeBatch(config.vocabSize);
    const feeds = batchFeeds(graph, batch, options.dropout ?? 0);
    const run = async () => {
      for (const w of graph.weights) feeds[w.name] = new ort.Tensor('float32', tensors.get(w.name)!.data, w.shape);
      return session.run(feeds);
    };
    const first = await run();
    const loss = (first[LOSS_OUTPUT]!.data as Float32Array)[0]!;
    const grads = new Map(graph.gradients.map((g) => [g.weight, Float32Array.from(first[g.output]!.data as Float32Array)]));
    const lossAt = async (name: string, index: number, value: number) => {
      const data = tensors.get(name)!.data;
      const original = data[index]!;
      data[index] = value;
      try {
        return (((await run())[LOSS_OUTPUT]!.data as Float32Array)[0]!);
      } finally {
        data[index] = original;
      }
    };
    /** (L(w + h·e_i) − L(w − h·e_i)) / 2h, over the float32 entries actually reached. */
    const difference = async (name: string, index: number, h: number) => {
      const original = tensors.get(name)!.data[index]!;
      const plus = Math.fround(original + h);
      const minus = Math.fround(original - h);
      return ((await lossAt(name, index, plus)) - (await lossAt(name, index, minus))) / (plus - minus);
    };

    const steps = options.steps ?? [1e-3, 1e-2];
    const H = config.embeddingSize;
    const word = `${config.modelType}.embeddings.word_embeddings.weight`;
    const probes: Measurements['probes'] = [];
    for (const [name, g] of grads) {
      const indices = name === word
        ? [batch.repeated * H + 3, batch.single * H + 5, batch.repeated * H + (H - 1)].slice(0, Math.max(2, options.perParameter))
        : [...g.keys()].sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, options.perParameter);
      for (const index of indices) {
        probes.push({ parameter: name, index, gradient: g[index]!, difference: await difference(name, index, isEmbeddingTable(name) ? steps[0] : steps[1]) });
      }
    }
    const wordGrad = grads.get(word)!;
    const row = (id: number) => Array.from(wordGrad.subarray(id * H, (id + 1) * H));
    const paddingInfluence = Math.max(...(await Promise.all([0, 7].map(async (c) => Math.abs(await difference(word, PAD * H + c, 1e-3))))));
    const position = grads.get(`${config.modelType}.embeddings.position_embeddings.weight`);
    return {
      architecture: config.modelType,
      vocabSize: config.vocabSize,
      hiddenSize: config.hiddenSize,
      loss,
      probes,
      wordRows: { repeated: row(batch.repeated), single: row(batch.single), unused: row(batch.unused), padding: row(PAD) },
      paddingInfluence,
      positionRowsPastWindow: position ? Array.from(position.subarray(SEQ * H)) : [],
      gradientWeights: graph.gradients.map((g) => g.weight),
      gradients: options.keepGradients ? Object.fromEntries([...grads].map(([name, g]) => [name, Array.from(g)])) : undefined,
    };
  } finally {
    await session.release();
  }
}

/** The batch, loss weight and dropout masks (drawn as the trainer draws them) of the probe batch. */
function batchFeeds(graph: TrainingGraph, batch: ReturnType<typeof probeBatch>, dropout: number): Record<string, ort.Tensor> {
  const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, SEQ]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(batch.rows),
    attention_mask: int64(batch.mask),
    start_positions: new ort.Tensor('int64', BigInt64Array.from(batch.start, (v) => BigInt(v)), [2]),
    end_positions: new ort.Tensor('int64', BigInt64Array.from(batch.end, (v) => BigInt(v)), [2]),
    [LOSS_WEIGHT_INPUT]: new ort.Tensor('float32', Float32Array.of(1), []),
  };
  if (graph.batchInputs.includes('token_type_ids')) feeds.token_type_ids = int64(batch.types);
  graph.dropout.forEach(({ site, input }, k) => {
    if (!input) return;
    if (dropout <= 0) throw new Error(`the graph has a dropout mask at ${site.name} but the check runs without dropout`);
    const shape = dropoutMaskShape(site, 2, SEQ);
    feeds[input] = new ort.Tensor('float32', fillDropoutMask(new Float32Array(shape.reduce((a, b) => a * b, 1)), site.probability, 1000 + k), shape);
  });
  return feeds;
}

/** Everything wrong with `m`, in words (empty when the gradients are right). */
export function gradientFailures(m: Measurements, expectedTrainable: string[]): string[] {
  const failures: string[] = [];
  for (const p of m.probes) {
    const allowed = 2e-4 + 3e-3 * Math.abs(p.difference);
    if (!(Math.abs(p.difference - p.gradient) <= allowed)) failures.push(`${p.parameter}[${p.index}]: gradient ${p.gradient}, finite difference ${p.difference}`);
  }
  const probed = new Set(m.probes.map((p) => p.parameter));
  for (const name of expectedTrainable) if (!probed.has(name)) failures.push(`${name}: not probed (no gradient output?)`);
  if (JSON.stringify([...m.gradientWeights].sort()) !== JSON.stringify([...expectedTrainable].sort())) {
    failures.push(`gradients for [${m.gradientWeights.join(', ')}], expected [${expectedTrainable.join(', ')}]`);
  }
  // The repeated id's row gathers three positions' gradients (checked above by its differences); an
  // unused row gets none; the padding row none although it changes the loss (nn.Embedding(padding_idx)).
  if (!m.wordRows.repeated.some((g) => Math.abs(g) > 1e-4)) failures.push('the repeated id gets no gradient');
  if (!m.wordRows.single.some((g) => Math.abs(g) > 1e-4)) failures.push('a used id gets no gradient');
  if (!m.wordRows.unused.every((g) => g === 0)) failures.push('an unused id gets a gradient');
  if (!m.wordRows.padding.every((g) => g === 0)) failures.push(`the padding row gets a gradient: ${m.wordRows.padding.slice(0, 4)}`);
  if (!(m.paddingInfluence > 1e-4)) failures.push(`the padding row does not change the loss (max |dL/dw| ${m.paddingInfluence}), so its zero gradient proves nothing`);
  if (!m.positionRowsPastWindow.every((g) => g === 0)) failures.push('position rows past the window get a gradient');
  if (!Number.isFinite(m.loss)) failures.push(`loss ${m.loss}`);
  return failures;
}

/** The tiny models the WebGPU check uses (SwiftShader takes about half a second per run even for these). */
export function webGpuCase(name: string): { config: ModelConfig; seed: number; dropout: number } {
  switch (name) {
    case 'bert':
      return { config: smallConfig({ model_type: 'bert', num_hidden_layers: 1 }), seed: 11, dropout: 0.2 };
    case 'distilbert':
      return { config: smallConfig({ model_type: 'distilbert', dim: 16, n_layers: 1, n_heads: 2, hidden_dim: 32 }), seed: 12, dropout: 0.2 };
    default:
      throw new Error(`no WebGPU case ${name}`);
  }
}

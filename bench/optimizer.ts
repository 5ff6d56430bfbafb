/**
 * npm run bench:optimizer — one AdamW update of every parameter of a MiniLM-L6-shaped model (22.7M
 * parameters), computed two ways: over Float32Arrays in the engine process (train/adamw-float32.ts
 * with its SIMD kernel, what training uses) and as an ONNX graph on ONNX Runtime's CPU provider (the same float32 operations
 * in torch's order, weights, gradients and moments fed in and the new ones read out). Interleaved
 * repeats, medians; the two must agree (the graph is checked against the loop).
 * Usage: node --import tsx bench/optimizer.ts [REPEATS=5]
 */
import * as ort from 'onnxruntime-node';
import { parseModelConfig } from '../src/engine/checkpoint/config';
import { parameterSpecs } from '../src/engine/checkpoint/parameters';
import { FLOAT, GraphBuilder } from '../src/engine/onnx/graph';
import { physicalCores } from '../src/engine/onnx/providers';
import { Float32AdamW } from '../src/engine/train/adamw-float32';
import { appliesWeightDecay } from '../src/engine/train/adamw-state';
import { Rng } from '../src/engine/train/rng';

const f = Math.fround;

/** p, m, v ← one AdamW update, per parameter; scalars are inputs so one graph serves every step. */
function adamWGraph(specs: { name: string; shape: number[] }[]): Uint8Array {
  const g = new GraphBuilder();
  const scalar = (name: string) => g.input(name, FLOAT, []);
  const [decay, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps, negStep] = ['decay', 'one_minus_beta1', 'beta2', 'one_minus_beta2', 'bias_correction2_sqrt', 'eps', 'neg_step_size'].map(scalar) as string[];
  for (const { name, shape } of specs) {
    const [p, grad, m, v] = ['p', 'g', 'm', 'v'].map((k) => g.input(`${k}.${name}`, FLOAT, shape)) as string[];
    const newM = g.add(m!, g.mul(oneMinusBeta1!, g.sub(grad!, m!)));
    const newV = g.add(g.mul(v!, beta2!), g.mul(g.mul(grad!, oneMinusBeta2!), grad!));
    const denom = g.add(g.div(g.op('Sqrt', [newV], 'sqrt'), bc2Sqrt!), eps!);
    const decayed = appliesWeightDecay(name) ? g.mul(p!, decay!) : p!;
    const newP = g.add(decayed, g.div(g.mul(negStep!, newM), denom));
    g.output(newP, `new_p.${name}`, FLOAT, shape);
    g.output(newM, `new_m.${name}`, FLOAT, shape);
    g.output(newV, `new_v.${name}`, FLOAT, shape);
  }
  return g.toModel({ name: 'adamw' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const repeats = Number(process.argv[2] ?? 5);
  const config = parseModelConfig({ model_type: 'bert', hidden_size: 384, num_hidden_layers: 6, num_attention_heads: 12, intermediate_size: 1536 });
  const specs = parameterSpecs(config).map((s) => ({ name: s.name, shape: s.shape }));
  const rng = new Rng(1);
  const params = specs.map((s) => ({ ...s, data: rng.normalArray(s.shape.reduce((a, b) => a * b, 1), 0, 0.02) }));
  const grads = new Map(params.map((p) => [p.name, rng.normalArray(p.data.length, 0, 1e-3)]));
  const count = params.reduce((n, p) => n + p.data.length, 0);

  const loopParams = params.map((p) => ({ ...p, data: Float32Array.from(p.data) }));
  const loop = new Float32AdamW(loopParams, { weightDecay: 0.01 });
  const threads = physicalCores();
  const session = await ort.InferenceSession.create(adamWGraph(specs), { executionProviders: ['cpu'], intraOpNumThreads: threads, enableMemPattern: false });
  const graphState: { name: string; shape: number[]; p: Float32Array; m: Float32Array; v: Float32Array }[] = params.map((p) => ({ ...p, p: Float32Array.from(p.data), m: new Float32Array(p.data.length), v: new Float32Array(p.data.length) }));
  const lr = 3e-5;
  const times = { loop: [] as number[], graph: [] as number[] };
  for (let t = 1; t <= repeats + 1; t++) {
    let started = performance.now();
    loop.step(grads, lr);
    const loopMs = performance.now() - started;

    started = performance.now();
    const feeds: Record<string, ort.Tensor> = {};
    const s = (x: number) => new ort.Tensor('float32', Float32Array.of(x), []);
    Object.assign(feeds, {
      decay: s(f(1 - lr * 0.01)), one_minus_beta1: s(f(1 - 0.9)), beta2: s(f(0.999)), one_minus_beta2: s(f(1 - 0.999)),
      bias_correction2_sqrt: s(f(Math.sqrt(1 - 0.999 ** t))), eps: s(f(1e-8)), neg_step_size: s(f(-(lr / (1 - 0.9 ** t)))),
    });
    for (const q of graphState) {
      feeds[`p.${q.name}`] = new ort.Tensor('float32', q.p, q.shape);
      feeds[`g.${q.name}`] = new ort.Tensor('float32', grads.get(q.name)!, q.shape);
      feeds[`m.${q.name}`] = new ort.Tensor('float32', q.m, q.shape);
      feeds[`v.${q.name}`] = new ort.Tensor('float32', q.v, q.shape);
    }
    const out = await session.run(feeds);
    for (const q of graphState) {
      q.p = out[`new_p.${q.name}`]!.data as Float32Array;
      q.m = out[`new_m.${q.name}`]!.data as Float32Array;
      q.v = out[`new_v.${q.name}`]!.data as Float32Array;
    }
    const graphMs = performance.now() - started;
    if (t > 1) {
      times.loop.push(loopMs);
      times.graph.push(graphMs);
    }
  }
  let worst = 0;
  graphState.forEach((q, i) => q.p.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - loopParams[i]!.data[j]!)))));
  if (worst > 1e-6) throw new Error(`the graph and the loop disagree by ${worst}`);
  console.log(JSON.stringify({
    benchmark: 'optimizer', parameters: count, repeats, threads,
    float32_loop_ms: +median(times.loop).toFixed(1), onnx_graph_ms: +median(times.graph).toFixed(1), max_difference: worst,
  }, null, 2));
}
main();

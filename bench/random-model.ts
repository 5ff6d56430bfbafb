/** Model shapes for the benchmarks, random-weight checkpoints of them, and a peak-memory sampler. */
import * as path from 'node:path';
import { writeRandomBertCheckpoint } from '../test/support/random-bert';
import { scratchFolder } from './scratch';

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  /** DistilBERT layout (no token types, learned positions) instead of BERT's. */
  distilbert?: boolean;
}

export const SHAPES: Record<string, ModelShape> = {
  'bert-mini': { name: 'bert-mini (L4 H256)', layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
  'minilm-l6': { name: 'MiniLM-L6 (L6 H384)', layers: 6, hidden: 384, heads: 12, intermediate: 1536 },
  'distilbert-base': { name: 'DistilBERT-base (L6 H768)', layers: 6, hidden: 768, heads: 12, intermediate: 3072, distilbert: true },
};

/** A checkpoint of `shape` with seeded N(0, 0.02) weights, written by the tests' own helper (removed at exit). */
export async function writeRandomBert(shape: ModelShape, seed = 1): Promise<string> {
  const dir = path.join(scratchFolder(`${shape.distilbert ? 'distilbert-' : ''}${shape.layers}x${shape.hidden}`), 'model');
  return writeRandomBertCheckpoint(dir, { hidden: shape.hidden, layers: shape.layers, heads: shape.heads, intermediate: shape.intermediate, seed, distilbert: shape.distilbert });
}

/** Samples the process's resident memory and the wasm heap size while work runs. */
export class PeakMemory {
  rss = 0;
  private timer = setInterval(() => this.sample(), 200);
  sample(): void {
    this.rss = Math.max(this.rss, process.memoryUsage().rss);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.rss;
  }
}

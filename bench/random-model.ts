/** Writes a BERT checkpoint of a given shape with seeded random weights (N(0, 0.02), LayerNorm 1/0). */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeSafetensors } from '../src/engine/checkpoint/safetensors';
import { parseModelConfig } from '../src/engine/checkpoint/config';
import { parameterSpecs } from '../src/engine/checkpoint/parameters';
import { Rng } from '../src/engine/train/rng';

export interface ModelShape {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export const SHAPES: Record<string, ModelShape> = {
  'bert-mini': { name: 'bert-mini (L4 H256)', layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
  'minilm-l6': { name: 'MiniLM-L6 (L6 H384)', layers: 6, hidden: 384, heads: 12, intermediate: 1536 },
};

export const FIXTURE_TOKENIZER = path.resolve(__dirname, '../../shared/fixtures/models/tiny-bert-qa');

export async function writeRandomBert(shape: ModelShape, seed = 1): Promise<string> {
  const dir = path.join(tmpdir(), `spantune-bench-${shape.layers}x${shape.hidden}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const raw = {
    architectures: ['BertForQuestionAnswering'], model_type: 'bert', vocab_size: 30522, hidden_size: shape.hidden,
    num_hidden_layers: shape.layers, num_attention_heads: shape.heads, intermediate_size: shape.intermediate,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512,
    type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0, initializer_range: 0.02,
  };
  const rng = new Rng(seed);
  const tensors = parameterSpecs(parseModelConfig(raw)).map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const isNorm = spec.name.includes('LayerNorm');
    const data = spec.name.endsWith('.bias') ? new Float32Array(size) : isNorm ? new Float32Array(size).fill(1) : rng.normalArray(size, 0, 0.02);
    return { name: spec.name, shape: spec.shape, data };
  });
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw, null, 2));
  for (const file of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) copyFileSync(path.join(FIXTURE_TOKENIZER, file), path.join(dir, file));
  return dir;
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

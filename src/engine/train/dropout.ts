/**
 * Dropout masks drawn in the engine, so that a step replays exactly on every runtime (tfjs and ONNX
 * Runtime, CPU and GPU): each of a micro-batch's dropout sites gets its mask from a seeded
 * mulberry32, with seed (micro-batch seed + k) for the k-th site (k from 1) in the order below, the
 * order in which the forward pass meets them. Sites whose probability is 0 still count, so that one
 * setting never shifts the masks of another site.
 */
import type { ModelConfig } from '../checkpoint/config';
import { dropoutMaskBulk, MULBERRY32_INCREMENT } from './kernels';

export interface DropoutSite {
  /** The name the model code gives the site (`bert.encoder.layer.0.attention.self`). */
  name: string;
  probability: number;
  /** 'hidden' masks are [B, S, width]; 'attention' masks [B, nh, S, S] (attention probabilities). */
  kind: 'hidden' | 'attention';
  width: number;
}

/**
 * The config with every dropout probability replaced by `override` (when given), as the trainer's
 * --dropout does. BERT has no dropout before its QA head, so its qaDropout stays 0.
 */
export function withDropout(config: ModelConfig, override: number | undefined): ModelConfig {
  if (override === undefined) return config;
  return { ...config, hiddenDropoutProb: override, attentionProbsDropoutProb: override, qaDropout: config.modelType === 'bert' ? 0 : override };
}

/** Every dropout site of the QA model, in the order its masks are drawn. */
export function dropoutSites(config: ModelConfig): DropoutSite[] {
  const hidden = (name: string, probability: number, width = config.hiddenSize): DropoutSite => ({ name, probability, kind: 'hidden', width });
  const attention = (name: string): DropoutSite => ({ name, probability: config.attentionProbsDropoutProb, kind: 'attention', width: config.numAttentionHeads });
  const p = config.hiddenDropoutProb;
  const sites: DropoutSite[] = [];
  if (config.modelType === 'bert') {
    sites.push(hidden('bert.embeddings', p, config.embeddingSize));
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const layer = `bert.encoder.layer.${i}`;
      sites.push(attention(`${layer}.attention.self`), hidden(`${layer}.attention.output`, p), hidden(`${layer}.output`, p));
    }
  } else {
    sites.push(hidden('distilbert.embeddings', p));
    // DistilBERT has no dropout after its attention projection.
    for (let i = 0; i < config.numHiddenLayers; i++) {
      const layer = `distilbert.transformer.layer.${i}`;
      sites.push(attention(`${layer}.attention`), hidden(`${layer}.ffn`, p));
    }
  }
  sites.push(hidden('qa_dropout', config.qaDropout));
  return sites;
}

/** The mask's shape at `site` for a micro-batch of `batch` windows of `seq` tokens (numbers, or a graph's axis names). */
export function dropoutMaskShape<D extends number | string>(site: DropoutSite, batch: D, seq: D): (D | number)[] {
  return site.kind === 'attention' ? [batch, site.width, seq, seq] : [batch, seq, site.width];
}

/**
 * Fills `values` with the mask of inverted dropout: 0 where a value is dropped, 1/(1 − rate) where it
 * is kept, from a mulberry32 seeded with `seed` (as an unsigned 32-bit integer). The definition is the
 * scalar loop below; the SIMD kernel (kernels.ts) computes all but the last few values, bit for bit as
 * the loop would (uniform >= rate is output >= ceil(rate·2³²), exactly), about 9x faster: the masks of
 * a MiniLM-L6 step at batch 8 are 100M values. (tfjs's randomUniform + compare + cast + scale took
 * about a third of a training step.)
 */
export function fillDropoutMask(values: Float32Array, rate: number, seed: number): Float32Array {
  const keep = 1 / (1 - rate);
  const threshold = Math.ceil(rate * 2 ** 32);
  const done = rate >= 0 && threshold < 2 ** 32 ? dropoutMaskBulk(values, seed >>> 0, threshold, keep) : 0;
  let state = ((seed >>> 0) + Math.imul(done, MULBERRY32_INCREMENT)) >>> 0;
  for (let i = done; i < values.length; i++) {
    state = (state + MULBERRY32_INCREMENT) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const uniform = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    values[i] = uniform >= rate ? keep : 0;
  }
  return values;
}

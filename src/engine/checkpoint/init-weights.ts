/**
 * Fresh weights for a QA model, drawn as Hugging Face's `_init_weights` draws them for BERT: linear
 * weights and embeddings from N(0, initializer_range²), biases 0, LayerNorm weight 1 and bias 0
 * (DistilBERT's *_layer_norm too), and the padding row of the word embeddings 0. For training from scratch (the demo model, tests).
 */
import { Rng } from '../train/rng';
import type { ModelConfig } from './config';
import { parameterSpecs } from './parameters';
import type { FloatTensor } from './safetensors';

export function initialWeights(config: ModelConfig, seed: number): Map<string, FloatTensor> {
  const rng = new Rng(seed);
  const std = config.initializerRange;
  const tensors = new Map<string, FloatTensor>();
  for (const { name, shape } of parameterSpecs(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (/(LayerNorm|layer_norm)\.weight$/.test(name)) data = new Float32Array(size).fill(1);
    else if (name.endsWith('.bias')) data = new Float32Array(size);
    else data = rng.normalArray(size, 0, std);
    if (name.endsWith('word_embeddings.weight')) data.fill(0, config.padTokenId * shape[1]!, (config.padTokenId + 1) * shape[1]!);
    tensors.set(name, { shape, data });
  }
  return tensors;
}

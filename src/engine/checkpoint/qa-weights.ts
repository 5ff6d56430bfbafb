/**
 * The float32 weights of a question-answering model, by normalised Hugging Face name, ready for any
 * runtime (no TensorFlow.js here). A base checkpoint without a QA head gets a new one drawn from
 * N(0, initializer_range) with zero bias, as Hugging Face initialises nn.Linear in BERT models.
 */
import { copyTokenizerFiles } from '../tokenizer/load';
import { Rng } from '../train/rng';
import type { ModelConfig } from './config';
import type { FloatTensor } from './safetensors';
import { loadCheckpointWeights, saveCheckpoint } from './weights';

export interface QaWeights {
  config: ModelConfig;
  tensors: Map<string, FloatTensor>;
  /** Things the user should know: a new QA head, ignored tensors, converted dtypes. */
  warnings: string[];
}

export async function loadQaWeights(modelDir: string, options: { seed?: number } = {}): Promise<QaWeights> {
  const checkpoint = await loadCheckpointWeights(modelDir);
  const { config, tensors } = checkpoint;
  if (checkpoint.missingQaHead) {
    const rng = new Rng(options.seed ?? 42);
    tensors.set('qa_outputs.weight', { shape: [2, config.hiddenSize], data: rng.normalArray(2 * config.hiddenSize, 0, config.initializerRange) });
    tensors.set('qa_outputs.bias', { shape: [2], data: new Float32Array(2) });
  }
  return { config, tensors, warnings: checkpoint.warnings };
}

/** Writes the weights in Hugging Face layout into `outDir`, with the tokenizer files of `tokenizerDir`. */
export async function saveQaWeights(outDir: string, weights: { config: ModelConfig; tensors: ReadonlyMap<string, FloatTensor> }, tokenizerDir: string): Promise<void> {
  await saveCheckpoint(outDir, {
    config: weights.config,
    tensors: weights.tensors,
    addFiles: async (stagingDir) => {
      await copyTokenizerFiles(tokenizerDir, stagingDir);
    },
  });
}

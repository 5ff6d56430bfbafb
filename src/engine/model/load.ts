/**
 * Loads a question-answering model and its tokenizer from a Hugging Face model folder, and saves one
 * back in the same layout.
 */
import { loadCheckpointWeights, saveCheckpoint } from '../checkpoint/weights';
import type { FloatTensor } from '../checkpoint/safetensors';
import { copyTokenizerFiles, loadTokenizer } from '../tokenizer/load';
import type { WordPieceTokenizer } from '../tokenizer/types';
import { Rng } from '../train/rng';
import { createQaModel, exportTensors, type QaModel } from './qa-model';

export interface LoadedQaModel {
  model: QaModel;
  tokenizer: WordPieceTokenizer;
  /** Things the user should know: a new QA head, ignored tensors, converted dtypes. */
  warnings: string[];
}

/**
 * Reads config, weights and tokenizer. A base checkpoint without a QA head gets a new one drawn from
 * N(0, initializer_range) with zero bias, as Hugging Face initialises nn.Linear in BERT models.
 */
export async function loadQaModel(modelDir: string, options: { seed?: number } = {}): Promise<LoadedQaModel> {
  const [checkpoint, tokenizer] = await Promise.all([loadCheckpointWeights(modelDir), loadTokenizer(modelDir)]);
  const { config, tensors } = checkpoint;
  if (checkpoint.missingQaHead) {
    const rng = new Rng(options.seed ?? 42);
    tensors.set('qa_outputs.weight', { shape: [2, config.hiddenSize], data: rng.normalArray(2 * config.hiddenSize, 0, config.initializerRange) });
    tensors.set('qa_outputs.bias', { shape: [2], data: new Float32Array(2) });
  }
  const model = createQaModel(config, tensors);
  return { model, tokenizer, warnings: checkpoint.warnings };
}

/** Writes the model in Hugging Face layout, with the tokenizer files of `tokenizerDir`. */
export async function saveQaModel(model: QaModel, outDir: string, tokenizerDir: string): Promise<void> {
  const tensors = new Map<string, FloatTensor>(exportTensors(model).map(({ name, shape, data }) => [name, { shape, data }]));
  await saveCheckpoint(outDir, {
    config: model.config,
    tensors,
    addFiles: async (stagingDir) => {
      await copyTokenizerFiles(tokenizerDir, stagingDir);
    },
  });
}

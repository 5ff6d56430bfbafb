/**
 * Loads a question-answering model and its tokenizer from a Hugging Face model folder, and saves one
 * back in the same layout.
 */
import { loadQaWeights, saveQaWeights } from '../checkpoint/qa-weights';
import type { FloatTensor } from '../checkpoint/safetensors';
import { loadTokenizer } from '../tokenizer/load';
import type { WordPieceTokenizer } from '../tokenizer/types';
import { createQaModel, exportTensors, type QaModel } from './qa-model';

export interface LoadedQaModel {
  model: QaModel;
  tokenizer: WordPieceTokenizer;
  /** Things the user should know: a new QA head, ignored tensors, converted dtypes. */
  warnings: string[];
}

/** Reads config, weights (a missing QA head drawn afresh, see loadQaWeights) and tokenizer. */
export async function loadQaModel(modelDir: string, options: { seed?: number } = {}): Promise<LoadedQaModel> {
  const [weights, tokenizer] = await Promise.all([loadQaWeights(modelDir, options), loadTokenizer(modelDir)]);
  const model = createQaModel(weights.config, weights.tensors);
  return { model, tokenizer, warnings: weights.warnings };
}

/** Writes the model in Hugging Face layout, with the tokenizer files of `tokenizerDir`. */
export async function saveQaModel(model: QaModel, outDir: string, tokenizerDir: string): Promise<void> {
  const tensors = new Map<string, FloatTensor>(exportTensors(model).map(({ name, shape, data }) => [name, { shape, data }]));
  await saveQaWeights(outDir, { config: model.config, tensors }, tokenizerDir);
}

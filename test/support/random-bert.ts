/**
 * Random-weight BERT checkpoints in Hub layout, for tests and benchmarks (no node:test import, so
 * benchmarks can use it without printing a test report).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseModelConfig } from '../../src/engine/checkpoint/config';
import { initialWeights } from '../../src/engine/checkpoint/init-weights';
import { writeSafetensors } from '../../src/engine/checkpoint/safetensors';

const tinyBertDir = path.resolve(__dirname, '../../../shared/fixtures/models/tiny-bert-qa');

export interface RandomBertOptions {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions?: number;
  seed: number;
  /**
   * The model's own WordPiece vocabulary (special tokens are added first): a small table trains much
   * faster than bert-base-uncased's 30,522 rows. Default: the fixture's bert-base-uncased files.
   */
  vocabulary?: readonly string[];
  /** Standard deviation of weight matrices and embeddings (Hugging Face's initializer_range). */
  std?: number;
  /** DistilBertForQuestionAnswering (learned positions) instead of BertForQuestionAnswering. */
  distilbert?: boolean;
}

/** [PAD] first, so that pad_token_id 0 holds as in bert-base-uncased. */
const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/**
 * A BertForQuestionAnswering (or DistilBertForQuestionAnswering) folder with weights initialised as Hugging
 * Face's _init_weights does (`initialWeights`, initializer_range = std). The tokenizer files come from the
 * fixture (bert-base-uncased), with vocab.txt replaced by `options.vocabulary` when given.
 */
export async function writeRandomBertCheckpoint(dir: string, options: RandomBertOptions): Promise<string> {
  const std = options.std ?? 0.02;
  const vocabulary = options.vocabulary && [...SPECIAL_TOKENS, ...new Set(options.vocabulary.filter((t) => !SPECIAL_TOKENS.includes(t)))];
  const rawConfig = options.distilbert ? {
    architectures: ['DistilBertForQuestionAnswering'],
    model_type: 'distilbert',
    activation: 'gelu',
    attention_dropout: 0.1,
    dim: options.hidden,
    dropout: 0.1,
    hidden_dim: options.intermediate,
    initializer_range: std,
    max_position_embeddings: options.maxPositions ?? 512,
    n_heads: options.heads,
    n_layers: options.layers,
    pad_token_id: 0,
    qa_dropout: 0.1,
    sinusoidal_pos_embds: false,
    vocab_size: vocabulary ? vocabulary.length : 30522,
  } : {
    architectures: ['BertForQuestionAnswering'],
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: options.hidden,
    initializer_range: std,
    intermediate_size: options.intermediate,
    layer_norm_eps: 1e-12,
    max_position_embeddings: options.maxPositions ?? 512,
    num_attention_heads: options.heads,
    num_hidden_layers: options.layers,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    type_vocab_size: 2,
    vocab_size: vocabulary ? vocabulary.length : 30522,
  };
  const config = parseModelConfig(rawConfig);
  const tensors = [...initialWeights(config, options.seed)].map(([name, tensor]) => ({ name, ...tensor }));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(rawConfig, null, 2)}\n`);
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  for (const file of ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    copyFileSync(path.join(tinyBertDir, file), path.join(dir, file));
  }
  if (vocabulary) writeFileSync(path.join(dir, 'vocab.txt'), `${vocabulary.join('\n')}\n`);
  return dir;
}


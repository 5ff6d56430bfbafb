/**
 * The demo model: a small BERT for question answering with seeded random weights (so "Fine-tune on
 * Workspace" visibly learns from nothing) and the demo vocabulary. `npm start` creates it in the demo
 * workspace and checks it before printing the URL.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseModelConfig } from '../../src/engine/checkpoint/config';
import { initialWeights } from '../../src/engine/checkpoint/init-weights';
import { saveCheckpoint } from '../../src/engine/checkpoint/save';
import { loadCheckpointWeights } from '../../src/engine/checkpoint/weights';
import { loadTokenizer } from '../../src/engine/tokenizer/load';
import { demoVocabularyFile } from './paths';
import { SPECIAL_TOKENS } from './vocabulary';

const SEED = 20250601;

/**
 * Two layers of width 128 (4 heads, 0.6M parameters): about 150 training windows a second on ONNX
 * Runtime on two cores, and wide enough to tell apart the demo's near-identical question pairs ("What
 * is the ebb?" and "What is the flood?" about the same glossary) whatever the order of the batches:
 * at width 64 one or two of them stayed wrong on half the seeds.
 */
export function demoModelConfig(vocabularySize: number) {
  return parseModelConfig({
    architectures: ['BertForQuestionAnswering'],
    model_type: 'bert',
    vocab_size: vocabularySize,
    hidden_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    intermediate_size: 512,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    // Wider than BERT's 0.02: from scratch, this small model learns the demo in fewer epochs.
    initializer_range: 0.05,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
  });
}

/** Writes the demo model into `dir` (config, weights and tokenizer files appear together). */
export async function createDemoModel(dir: string, vocabularyFile = demoVocabularyFile): Promise<void> {
  const vocabulary = (await readFile(vocabularyFile, 'utf8')).split('\n').filter((line) => line !== '');
  if (SPECIAL_TOKENS.some((token, id) => vocabulary[id] !== token)) throw new Error(`${vocabularyFile}: must start with ${SPECIAL_TOKENS.join(' ')}`);
  const config = demoModelConfig(vocabulary.length);
  await saveCheckpoint(dir, {
    config,
    tensors: initialWeights(config, SEED),
    addFiles: async (staging) => {
      await copyFile(vocabularyFile, path.join(staging, 'vocab.txt'));
      await writeFile(path.join(staging, 'tokenizer_config.json'), `${JSON.stringify({ do_lower_case: true, model_max_length: 512, tokenizer_class: 'BertTokenizer' }, null, 2)}\n`);
      const special = { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' };
      await writeFile(path.join(staging, 'special_tokens_map.json'), `${JSON.stringify(special, null, 2)}\n`);
    },
  });
}

/** Reads the model's weights and tokenizer as the engine will; throws with the reason when it cannot be used. */
export async function checkDemoModel(dir: string): Promise<void> {
  const { missingQaHead } = await loadCheckpointWeights(dir);
  if (missingQaHead) throw new Error(`${dir}: the model has no question-answering head`);
  const tokenizer = await loadTokenizer(dir);
  if (tokenizer.encode('What is the tide?').ids.includes(1)) throw new Error(`${dir}: the tokenizer does not know the demo's words`);
}

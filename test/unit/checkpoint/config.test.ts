import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { hasEmbeddingProjection, modelConfigToJson, parseModelConfig, readModelConfig } from '../../../src/engine/checkpoint/config';
import { tempDir, tinyBertDir, tinyDistilBertDir } from './helpers';

function throwsUser(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseModelConfig(raw),
    (error: unknown) => error instanceof UserError && pattern.test(error.message),
  );
}

const bert = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model_type: 'bert',
  hidden_size: 32,
  num_attention_heads: 2,
  num_hidden_layers: 2,
  intermediate_size: 64,
  ...extra,
});

test('the BERT fixture config normalises to every field', async () => {
  const config = await readModelConfig(tinyBertDir);
  const { raw, ...fields } = config;
  assert.deepEqual(fields, {
    modelType: 'bert',
    hubModelType: 'bert',
    architectures: ['BertForQuestionAnswering'],
    vocabSize: 30522,
    hiddenSize: 32,
    embeddingSize: 32,
    numHiddenLayers: 2,
    numAttentionHeads: 2,
    intermediateSize: 64,
    hiddenAct: 'gelu',
    maxPositionEmbeddings: 512,
    typeVocabSize: 2,
    layerNormEps: 1e-12,
    hiddenDropoutProb: 0.1,
    attentionProbsDropoutProb: 0.1,
    qaDropout: 0,
    padTokenId: 0,
    initializerRange: 0.02,
    sinusoidalPosEmbds: false,
    positionEmbeddingType: 'absolute',
  });
  assert.equal(raw.use_cache, true, 'raw keeps keys SpanTune does not use');
});

test('the DistilBERT fixture config maps dim/n_layers/n_heads/hidden_dim/activation/dropouts', async () => {
  const config = await readModelConfig(tinyDistilBertDir);
  assert.equal(config.modelType, 'distilbert');
  assert.equal(config.hiddenSize, 32);
  assert.equal(config.embeddingSize, 32);
  assert.equal(config.numHiddenLayers, 2);
  assert.equal(config.numAttentionHeads, 2);
  assert.equal(config.intermediateSize, 64);
  assert.equal(config.hiddenAct, 'gelu');
  assert.equal(config.typeVocabSize, 0);
  assert.equal(config.layerNormEps, 1e-12);
  assert.equal(config.qaDropout, 0.1);
  assert.equal(config.hiddenDropoutProb, 0.1);
  assert.equal(config.attentionProbsDropoutProb, 0.1);
  assert.equal(config.sinusoidalPosEmbds, false);
});

test('DistilBERT dropouts and sinusoidal flag are read from their own keys', () => {
  const config = parseModelConfig({ model_type: 'distilbert', dim: 16, n_heads: 4, dropout: 0.2, attention_dropout: 0.3, qa_dropout: 0.25, sinusoidal_pos_embds: true, activation: 'relu' });
  assert.equal(config.hiddenDropoutProb, 0.2);
  assert.equal(config.attentionProbsDropoutProb, 0.3);
  assert.equal(config.qaDropout, 0.25);
  assert.equal(config.sinusoidalPosEmbds, true);
  assert.equal(config.hiddenAct, 'relu');
  assert.equal(config.numHiddenLayers, 6, 'transformers default for n_layers');
});

test('missing keys take the transformers defaults of the model type', () => {
  const config = parseModelConfig({ model_type: 'bert' });
  assert.equal(config.hiddenSize, 768);
  assert.equal(config.numHiddenLayers, 12);
  assert.equal(config.intermediateSize, 3072);
  assert.equal(config.vocabSize, 30522);
  assert.equal(config.maxPositionEmbeddings, 512);
  assert.equal(config.typeVocabSize, 2);
  const electra = parseModelConfig({ model_type: 'electra' });
  assert.equal(electra.embeddingSize, 128);
  assert.equal(electra.hiddenSize, 256);
  assert.equal(electra.numAttentionHeads, 4);
});

test('MiniLM (model_type bert, BertModel) and ELECTRA discriminators map onto BERT', () => {
  const minilm = parseModelConfig(bert({ architectures: ['BertModel'], hidden_size: 384, num_attention_heads: 12, num_hidden_layers: 6, intermediate_size: 1536 }));
  assert.equal(minilm.modelType, 'bert');
  assert.equal(minilm.hubModelType, 'bert');
  assert.equal(hasEmbeddingProjection(minilm), false);

  const electra = parseModelConfig({ model_type: 'electra', architectures: ['ElectraForPreTraining'], embedding_size: 128, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024, num_hidden_layers: 12 });
  assert.equal(electra.modelType, 'bert');
  assert.equal(electra.hubModelType, 'electra');
  assert.equal(electra.embeddingSize, 128);
  assert.equal(hasEmbeddingProjection(electra), true);
  assert.equal(electra.qaDropout, 0);
});

test('tanh GELU spellings normalise to gelu_new; unsupported activations are refused by name', () => {
  for (const act of ['gelu_new', 'gelu_pytorch_tanh', 'gelu_fast']) assert.equal(parseModelConfig(bert({ hidden_act: act })).hiddenAct, 'gelu_new');
  assert.equal(parseModelConfig(bert({ hidden_act: 'gelu_python' })).hiddenAct, 'gelu');
  assert.equal(parseModelConfig(bert({ hidden_act: 'relu' })).hiddenAct, 'relu');
  throwsUser(bert({ hidden_act: 'swish' }), /^config\.json: hidden_act "swish" is not supported \(supported: gelu, gelu_python, gelu_new, gelu_pytorch_tanh, gelu_fast, relu\)$/);
  throwsUser({ model_type: 'distilbert', activation: 'tanh' }, /activation "tanh" is not supported/);
});

test('relative position embeddings and decoders are refused', () => {
  throwsUser(bert({ position_embedding_type: 'relative_key' }), /position_embedding_type "relative_key" is not supported; SpanTune computes absolute position embeddings only/);
  throwsUser(bert({ is_decoder: true }), /is_decoder: true/);
});

test('RoBERTa-like and unknown model types are refused, naming the architecture and the supported ones', () => {
  throwsUser({ model_type: 'roberta', architectures: ['RobertaForQuestionAnswering'] }, /model_type "roberta" \(architectures: RobertaForQuestionAnswering\), which SpanTune does not support \(RoBERTa models use a byte-level BPE tokenizer.*\); supported: bert .*distilbert, electra/);
  throwsUser({ model_type: 'xlm-roberta' }, /"xlm-roberta".*SentencePiece/);
  throwsUser({ model_type: 'llama' }, /^config\.json has model_type "llama", which SpanTune does not support; supported: bert \(including MiniLM and other BERT-shaped models\), distilbert, electra$/);
});

test('a config without model_type is inferred from architectures or keys, with a note', () => {
  const warnings: string[] = [];
  assert.equal(parseModelConfig({ architectures: ['DistilBertForMaskedLM'], dim: 16, n_heads: 2 }, warnings).modelType, 'distilbert');
  assert.equal(parseModelConfig({ hidden_size: 16, num_attention_heads: 2, num_hidden_layers: 1 }, warnings).modelType, 'bert');
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /has no "model_type"; read it as distilbert/);
  throwsUser({ architectures: ['RobertaModel'] }, /model_type "roberta"/);
  throwsUser({ foo: 1 }, /no "model_type" and its keys match no supported architecture/);
});

test('invalid values are named with their key', () => {
  throwsUser(bert({ hidden_size: '32' }), /^config\.json: hidden_size must be an integer ≥ 1, got "32"$/);
  throwsUser(bert({ num_hidden_layers: 0 }), /num_hidden_layers must be an integer ≥ 1, got 0/);
  throwsUser(bert({ num_attention_heads: 3 }), /^config\.json: hidden_size 32 is not divisible by num_attention_heads 3$/);
  throwsUser({ model_type: 'distilbert', dim: 30, n_heads: 4 }, /dim 30 is not divisible by n_heads 4/);
  throwsUser(bert({ hidden_dropout_prob: 1.5 }), /hidden_dropout_prob must be a probability in \[0, 1\), got 1\.5/);
  throwsUser(bert({ layer_norm_eps: 0 }), /layer_norm_eps must be a positive number/);
  throwsUser(bert({ architectures: 'BertModel' }), /"architectures" must be a list/);
  throwsUser([1, 2], /config\.json is not a JSON object/);
});

test('readModelConfig: missing file and bad JSON are UserErrors naming the folder', async () => {
  const dir = tempDir();
  await assert.rejects(readModelConfig(dir), (e: unknown) => e instanceof UserError && /config\.json not found in /.test(e.message));
  writeFileSync(path.join(dir, 'config.json'), '{"model_type": "bert",');
  await assert.rejects(readModelConfig(dir), (e: unknown) => e instanceof UserError && /config\.json in .* is not valid JSON/.test(e.message));
});

test('modelConfigToJson keeps the original keys, writes normalised fields back and sets architectures and dtype', async () => {
  const config = await readModelConfig(tinyBertDir);
  const json = modelConfigToJson({ ...config, hiddenDropoutProb: 0.2 }, 'BertForQuestionAnswering');
  const original = JSON.parse(readFileSync(path.join(tinyBertDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(json, { ...original, hidden_dropout_prob: 0.2, architectures: ['BertForQuestionAnswering'], torch_dtype: 'float32' });
  assert.deepEqual(parseModelConfig(json).hiddenDropoutProb, 0.2);

  const distil = await readModelConfig(tinyDistilBertDir);
  const distilJson = modelConfigToJson(distil, 'DistilBertForQuestionAnswering');
  const distilOriginal = JSON.parse(readFileSync(path.join(tinyDistilBertDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(distilJson, distilOriginal, 'an unchanged DistilBERT config is written back unchanged');

  const tanh = modelConfigToJson(parseModelConfig(bert({ hidden_act: 'gelu_pytorch_tanh' })), 'BertForQuestionAnswering');
  assert.equal(tanh.hidden_act, 'gelu_pytorch_tanh', 'the original spelling is kept');
  const newer = modelConfigToJson(parseModelConfig(bert({ dtype: 'bfloat16' })), 'BertForQuestionAnswering');
  assert.equal(newer.dtype, 'float32');
});

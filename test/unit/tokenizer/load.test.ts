import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { copyTokenizerFiles, loadTokenizer } from '../../../src/engine/tokenizer/load';
import { fixtureModelDir } from './shared';

const SMALL_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'hello', 'world', 'cafe', 'café', 'Hello', '##s', '中', '国', '中国', '[FOO]', ',', '[', ']', 'foo'];

/** A model folder with the given files (objects are written as JSON). */
function modelFolder(files: Record<string, string | object>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-tok-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const vocabTxt = SMALL_VOCAB.join('\n') + '\n';

async function rejectsWithUserError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('vocab.txt: ids are line numbers; special token ids come from the vocabulary', async () => {
  const tokenizer = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt }));
  assert.equal(tokenizer.vocabSize, SMALL_VOCAB.length);
  assert.equal(tokenizer.tokenToId('world'), 6);
  assert.equal(tokenizer.idToToken(6), 'world');
  assert.deepEqual([tokenizer.padTokenId, tokenizer.unkTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId], [0, 1, 2, 3]);
  // Defaults: lower-case and strip accents.
  assert.deepEqual(tokenizer.encode('Hello Café worlds').tokens, ['hello', 'cafe', 'world', '##s']);
});

test('vocab.txt with Windows line ends reads the same tokens', async () => {
  const tokenizer = await loadTokenizer(modelFolder({ 'vocab.txt': SMALL_VOCAB.join('\r\n') + '\r\n' }));
  assert.equal(tokenizer.tokenToId('world'), 6);
  assert.equal(tokenizer.vocabSize, SMALL_VOCAB.length);
});

test('tokenizer_config: do_lower_case false keeps case and accents', async () => {
  const tokenizer = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': { do_lower_case: false } }));
  assert.deepEqual(tokenizer.encode('Hello café hello').tokens, ['Hello', 'café', 'hello']);
});

test('tokenizer_config: strip_accents false with lower-casing keeps accents', async () => {
  const dir = modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': { do_lower_case: true, strip_accents: false } });
  const tokenizer = await loadTokenizer(dir);
  assert.deepEqual(tokenizer.encode('CAFÉ').tokens, ['café']);
  assert.deepEqual(tokenizer.encode('CAFÉ').offsets, [[0, 4]]);
});

test('tokenizer_config: tokenize_chinese_chars false keeps ideographs in one word', async () => {
  const split = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt }));
  assert.deepEqual(split.encode('中国').tokens, ['中', '国']);
  const joined = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': { tokenize_chinese_chars: false } }));
  assert.deepEqual(joined.encode('中国').tokens, ['中国']);
});

test('never_split words and added tokens are kept whole', async () => {
  const plain = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt }));
  assert.deepEqual(plain.encode('a[FOO]').tokens, ['[UNK]', '[', 'foo', ']']);
  const withNeverSplit = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': { never_split: ['[FOO]'] } }));
  assert.deepEqual(withNeverSplit.encode('foo [FOO]').tokens, ['foo', '[FOO]']);
  const withAdded = await loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'added_tokens.json': { '<new>': 19 } }));
  const encoding = withAdded.encode('foo<new>foo');
  assert.deepEqual(encoding.ids, [18, 19, 18]);
  assert.deepEqual(encoding.offsets, [[0, 3], [3, 8], [8, 11]]);
  assert.equal(withAdded.vocabSize, 20);
});

test('special token names come from special_tokens_map.json', async () => {
  const vocab = ['<pad>', '<unk>', '<s>', '</s>', 'hello'].join('\n');
  const tokenizer = await loadTokenizer(
    modelFolder({
      'vocab.txt': vocab,
      'special_tokens_map.json': { pad_token: '<pad>', unk_token: { content: '<unk>' }, cls_token: '<s>', sep_token: '</s>' },
    }),
  );
  assert.deepEqual([tokenizer.padTokenId, tokenizer.unkTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId], [0, 1, 2, 3]);
  assert.deepEqual(tokenizer.encode('hello <s> bye').tokens, ['hello', '<s>', '<unk>']);
});

test('tokenizer.json is preferred over vocab.txt and read with its normalizer', async () => {
  const vocab = Object.fromEntries(SMALL_VOCAB.map((token, id) => [token, id]));
  const dir = modelFolder({
    'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n',
    'tokenizer.json': {
      added_tokens: [{ id: 14, content: '[FOO]', special: true }],
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: false },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    },
  });
  const tokenizer = await loadTokenizer(dir);
  assert.equal(tokenizer.vocabSize, SMALL_VOCAB.length);
  assert.deepEqual(tokenizer.encode('Hello café[FOO]').tokens, ['Hello', 'café', '[FOO]']);
});

test('bad tokenizer folders give errors that name the file', async () => {
  await rejectsWithUserError(loadTokenizer(modelFolder({})), /neither tokenizer\.json nor vocab\.txt/);
  await rejectsWithUserError(loadTokenizer(modelFolder({ 'vocab.txt': '' })), /vocab\.txt: the vocabulary is empty/);
  await rejectsWithUserError(loadTokenizer(modelFolder({ 'vocab.txt': 'a\nb\n' })), /vocab\.txt: .*'\[UNK\]' is not in the vocabulary/);
  await rejectsWithUserError(
    loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': '{"do_lower_case": tru' })),
    /tokenizer_config\.json: invalid JSON/,
  );
  await rejectsWithUserError(
    loadTokenizer(modelFolder({ 'vocab.txt': vocabTxt, 'tokenizer_config.json': { do_lower_case: 'yes' } })),
    /tokenizer_config\.json: 'do_lower_case' must be true, false or null/,
  );
  await rejectsWithUserError(
    loadTokenizer(modelFolder({ 'tokenizer.json': { model: { type: 'BPE', vocab: { a: 0 }, merges: [] } } })),
    /tokenizer\.json: tokenizer model type 'BPE' is not supported/,
  );
  await rejectsWithUserError(
    loadTokenizer(modelFolder({ 'tokenizer.json': { model: { type: 'WordPiece', vocab: {} } } })),
    /tokenizer\.json: model\.vocab is missing or empty/,
  );
  await rejectsWithUserError(
    loadTokenizer(modelFolder({ 'tokenizer.json': { normalizer: { type: 'Precompiled' }, model: { type: 'WordPiece', vocab: { '[UNK]': 0 } } } })),
    /tokenizer\.json: normalizer 'Precompiled' is not supported/,
  );
});

test('copyTokenizerFiles copies the tokenizer files only, and the copy loads the same tokenizer', async () => {
  const to = path.join(mkdtempSync(path.join(tmpdir(), 'spantune-tokcopy-')), 'checkpoint');
  const copied = await copyTokenizerFiles(fixtureModelDir, to);
  assert.deepEqual(copied.sort(), ['special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt']);
  assert.deepEqual(readdirSync(to).sort(), copied);
  assert.equal(readFileSync(path.join(to, 'vocab.txt'), 'utf8'), readFileSync(path.join(fixtureModelDir, 'vocab.txt'), 'utf8'));
  const original = await loadTokenizer(fixtureModelDir);
  const copy = await loadTokenizer(to);
  const text = 'Copying a checkpoint keeps its tokenizer: naïve café!';
  assert.deepEqual(copy.encode(text), original.encode(text));
  await rejectsWithUserError(copyTokenizerFiles(modelFolder({ 'config.json': {} }), to), /no tokenizer to copy/);
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { Tokenizer } from '@huggingface/tokenizers';
import type { BertWordPieceTokenizer } from '../../../src/engine/tokenizer/bert-tokenizer';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import { covidQaPath, fixtureModelDir, goldenTokenizePath, xquadPath, type GoldenTokenizeCase } from './shared';
import { bertTokenizerJson } from './tokenizer-json';

// Independent check: Hugging Face's own JS port (no offsets) must give the same ids, and a model folder
// with tokenizer.json must tokenize exactly like the same vocabulary given as vocab.txt.

let fromVocabTxt: BertWordPieceTokenizer;
let fromTokenizerJson: BertWordPieceTokenizer;
let reference: Tokenizer;
const texts: string[] = [];

before(async () => {
  const json = bertTokenizerJson(path.join(fixtureModelDir, 'vocab.txt'));
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-tokjson-'));
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  fromTokenizerJson = await loadTokenizer(dir);
  fromVocabTxt = await loadTokenizer(fixtureModelDir);
  reference = new Tokenizer(json, { do_lower_case: true, model_max_length: 512 });

  const golden = JSON.parse(readFileSync(goldenTokenizePath, 'utf8')) as { cases: GoldenTokenizeCase[] };
  texts.push(...golden.cases.map((c) => c.text));
  for (const file of [xquadPath, covidQaPath]) {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { data: { paragraphs: { context: string; qas: { question: string }[] }[] }[] };
    data.data.forEach((article, index) => {
      for (const paragraph of article.paragraphs) {
        // Every XQuAD context; every fourth COVID-QA paper (they are long, and the machine is shared).
        if (file === xquadPath || index % 4 === 0) texts.push(paragraph.context);
        texts.push(...paragraph.qas.map((q) => q.question));
      }
    });
  }
});

test('ids equal those of @huggingface/tokenizers on golden texts, XQuAD and COVID-QA', () => {
  assert.ok(texts.length > 2800);
  let compared = 0;
  for (const text of texts) {
    // Whitespace-only text: the reference Python tokenizer (and so this project) gives one [UNK],
    // today's tokenizers give nothing.
    if (text.length > 0 && text.trim() === '') continue;
    const expected = reference.encode(text, { add_special_tokens: false }).ids;
    assert.deepEqual(fromVocabTxt.encode(text).ids, expected, text.slice(0, 80));
    compared++;
  }
  assert.ok(compared > 2800);
});

test('tokenizer.json and vocab.txt folders give the same tokens, ids and offsets', () => {
  for (const text of texts) assert.deepEqual(fromTokenizerJson.encode(text), fromVocabTxt.encode(text), text.slice(0, 80));
  assert.equal(fromTokenizerJson.vocabSize, fromVocabTxt.vocabSize);
  for (const key of ['clsTokenId', 'sepTokenId', 'padTokenId', 'unkTokenId'] as const) {
    assert.equal(fromTokenizerJson[key], fromVocabTxt[key], key);
  }
});

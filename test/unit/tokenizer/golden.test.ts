import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import { fixtureModelDir, goldenTokenizePath, type GoldenTokenizeCase } from './shared';

const golden = JSON.parse(readFileSync(goldenTokenizePath, 'utf8')) as { cases: GoldenTokenizeCase[] };

test('golden file has cases to check', () => {
  assert.ok(golden.cases.length >= 30);
});

for (const goldenCase of golden.cases) {
  test(`golden case ${goldenCase.index}: ${JSON.stringify(goldenCase.text).slice(0, 50)}`, async () => {
    const tokenizer = await loadTokenizer(fixtureModelDir);
    const encoding = tokenizer.encode(goldenCase.text);
    assert.deepEqual(encoding.tokens, goldenCase.uncased.tokens, 'tokens');
    assert.deepEqual(encoding.ids, goldenCase.uncased.ids, 'ids');
    assert.deepEqual(tokenizer.basicTokenize(goldenCase.text), goldenCase.uncased.basic_tokens, 'basic tokens');
    const withSpecial = [tokenizer.clsTokenId, ...encoding.ids, tokenizer.sepTokenId];
    assert.deepEqual(withSpecial, goldenCase.uncased.ids_with_special_tokens, 'ids with special tokens');
    assert.equal(encoding.offsets.length, encoding.tokens.length);
  });
}

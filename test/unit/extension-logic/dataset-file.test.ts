import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lineAndColumn, parseDatasetText } from '../../../src/extension/logic/dataset-file';

test('line and column are 1-based', () => {
  assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
});

test('a JSON syntax error names the file, line and reason', () => {
  assert.throws(() => parseDatasetText('{\n  "data": [\n    {,}\n  ]\n}', 'ds.json'), /^UserError: ds\.json:3:6: invalid JSON \(\w+\)|ds\.json:3:\d+: invalid JSON/);
});

test('a shape error names the field and its line', () => {
  const text = '{\n "version": "v2.0",\n "data": [{"paragraphs": [{"context": "abc",\n "qas": [{"id": "a", "question": "q", "answers": [{"text": "abc", "answer_start": -1}]}]}]}]\n}';
  assert.throws(() => parseDatasetText(text, 'ds.json'), (error: Error) => {
    assert.equal(error.name, 'UserError');
    assert.match(error.message, /^ds\.json:4:\d+: data\[0\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]\.answer_start must be a non-negative integer$/);
    return true;
  });
});

test('an answer past the end of its context is reported', () => {
  const text = JSON.stringify({ data: [{ paragraphs: [{ context: 'ab', qas: [{ id: 'a', question: 'q', answers: [{ text: 'abc', answer_start: 1 }] }] }] }] });
  assert.throws(() => parseDatasetText(text, 'x.json'), /points past the end of its context \(2 characters\)/);
});

test('a valid file parses with its extra fields intact', () => {
  const text = JSON.stringify({ version: 'v2.0', data: [{ title: 't', paragraphs: [{ context: 'abc', source: { path: 'a.md' }, qas: [] }] }] });
  assert.deepEqual(parseDatasetText(text, 'x.json').data[0]!.paragraphs[0]!.source, { path: 'a.md' });
});

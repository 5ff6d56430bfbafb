import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { findJsonSyntaxError, lineAndColumn, parseJsonText, readOrderedNumberObject } from '../../../src/engine/squad/json-text';
import { firstInvalidUtf8Offset } from '../../../src/engine/squad/text-file';

describe('findJsonSyntaxError', () => {
  const invalid: [string, string, number, number, RegExp][] = [
    ['a missing value', '{"a": 1,\n "b": }', 2, 7, /unexpected "}" \(a value was expected\)/],
    ['a missing comma', '{"a": 1 "b": 2}', 1, 9, /',' or '}' was expected/],
    ['a trailing comma', '[1, 2,\n]', 2, 1, /trailing comma before '\]'/],
    ['an unterminated string', '{"a": "x', 1, 9, /unterminated string/],
    ['a raw newline in a string', '{"a": "x\ny"}', 1, 9, /control character inside a string/],
    ['a bad escape', '["\\x"]', 1, 3, /bad escape/],
    ['an unquoted key', '{a: 1}', 1, 2, /a quoted property name was expected/],
    ['text after the value', '{} x', 1, 4, /after the end of the JSON value/],
    ['an empty text', '', 1, 1, /the text ends too early/],
    ['NaN', '[NaN]', 1, 2, /unexpected "N"/],
    ['a leading zero', '[01]', 1, 3, /',' or '\]' was expected/],
  ];
  for (const [name, text, line, column, message] of invalid) {
    test(name, () => {
      assert.throws(() => JSON.parse(text));
      const found = findJsonSyntaxError(text);
      assert.ok(found, 'an error is found');
      assert.deepEqual([found.line, found.column], [line, column]);
      assert.match(found.message, message);
    });
  }

  test('valid JSON has no error', () => {
    for (const text of ['{}', '[]', ' 1 ', '"x"', 'null', '{"a": [1, -2.5e3, true, false, null, {"b": "\\u00e9\\n"}]}']) {
      assert.equal(findJsonSyntaxError(text), null, text);
    }
  });

  test('deep nesting does not overflow the stack', () => {
    const deep = `${'['.repeat(100000)}${']'.repeat(99999)}`;
    assert.match(findJsonSyntaxError(deep)!.message, /^the text ends too early/);
    assert.equal(findJsonSyntaxError(deep)!.offset, deep.length);
  });

  test('parseJsonText names the file, line and column', () => {
    assert.throws(() => parseJsonText('{\n "a": tru }', 'f.json'), /^UserError: f\.json: not valid JSON at line 2, column 7: /);
  });

  test('lineAndColumn counts from 1', () => {
    assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn('ab\ncd', 4), { line: 2, column: 2 });
  });
});

describe('readOrderedNumberObject', () => {
  test('keeps file order (also for integer-like keys), int-ness, and a repeated key keeps its first place and last value', () => {
    const entries = readOrderedNumberObject('{"b": 0.5, "10": 1, "2": 1e0, "b": 2.0, "a\\"q": -0}', 'na.json');
    assert.deepEqual(
      [...entries],
      [
        ['b', { value: 2, isInteger: false }],
        ['10', { value: 1, isInteger: true }],
        ['2', { value: 1, isInteger: false }],
        ['a"q', { value: -0, isInteger: true }],
      ],
    );
  });

  test('refuses values that are not numbers and tops that are not objects', () => {
    assert.throws(() => readOrderedNumberObject('{"a": "0.5"}', 'na.json'), /na\.json: the value of "a" \(line 1, column 7\) must be a number/);
    assert.throws(() => readOrderedNumberObject('[0.5]', 'na.json'), /expected a JSON object/);
  });
});

describe('firstInvalidUtf8Offset', () => {
  test('finds truncated sequences, overlong forms, surrogates and stray continuation bytes', () => {
    assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0xc3])), 1);
    assert.equal(firstInvalidUtf8Offset(Buffer.from([0x61, 0x62, 0xc0, 0x80])), 2);
    assert.equal(firstInvalidUtf8Offset(Buffer.from([0xed, 0xa0, 0x80])), 0);
    assert.equal(firstInvalidUtf8Offset(Buffer.from([0xe2, 0x82, 0xac, 0x80])), 3);
    assert.equal(firstInvalidUtf8Offset(Buffer.from('é€😀', 'utf8')), 9);
  });
});

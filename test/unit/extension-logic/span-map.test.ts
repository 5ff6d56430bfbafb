import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapSpan, mapSpanThrough } from '../../../src/extension/logic/span-map';

const span = { start: 10, end: 15 };

test('an edit before the span shifts it by the length difference', () => {
  assert.deepEqual(mapSpan(span, { offset: 2, deletedLength: 3, insertedText: 'abcdefg' }), { span: { start: 14, end: 19 }, touched: false });
});

test('typing right at the start or right after the end leaves the span untouched', () => {
  assert.deepEqual(mapSpan(span, { offset: 10, deletedLength: 0, insertedText: 'xx' }), { span: { start: 12, end: 17 }, touched: false });
  assert.deepEqual(mapSpan(span, { offset: 15, deletedLength: 0, insertedText: 'xx' }), { span, touched: false });
});

test('a deletion ending exactly at the start shifts without touching', () => {
  assert.deepEqual(mapSpan(span, { offset: 5, deletedLength: 5, insertedText: '' }), { span: { start: 5, end: 10 }, touched: false });
});

test('an edit inside the span touches it and resizes it', () => {
  assert.deepEqual(mapSpan(span, { offset: 12, deletedLength: 1, insertedText: 'XYZ' }), { span: { start: 10, end: 17 }, touched: true });
});

test('an edit overlapping the start clips the span to the replacement', () => {
  assert.deepEqual(mapSpan(span, { offset: 8, deletedLength: 4, insertedText: 'Q' }), { span: { start: 8, end: 12 }, touched: true });
});

test('deleting the whole span leaves an empty touched span', () => {
  assert.deepEqual(mapSpan(span, { offset: 9, deletedLength: 10, insertedText: '' }), { span: { start: 9, end: 9 }, touched: true });
});

test('several changes apply in order', () => {
  const result = mapSpanThrough(span, [
    { offset: 30, deletedLength: 0, insertedText: 'late' },
    { offset: 0, deletedLength: 0, insertedText: '12' },
  ]);
  assert.deepEqual(result, { span: { start: 12, end: 17 }, touched: false });
});

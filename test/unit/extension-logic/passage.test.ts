import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPassage } from '../../../src/extension/logic/passage';

const text = '# Title\n\nFirst paragraph here.\nStill first.\n\nSecond paragraph.\n  \nThird.';

test('the passage is the paragraph around the selection', () => {
  const start = text.indexOf('paragraph here');
  const span = findPassage(text, { start, end: start + 9 });
  assert.equal(text.slice(span.start, span.end), 'First paragraph here.\nStill first.');
});

test('a selection across paragraphs takes both whole paragraphs', () => {
  const start = text.indexOf('Still');
  const end = text.indexOf('Second') + 6;
  const span = findPassage(text, { start, end });
  assert.equal(text.slice(span.start, span.end), 'First paragraph here.\nStill first.\n\nSecond paragraph.');
});

test('a blank line with spaces still separates paragraphs', () => {
  const start = text.indexOf('Third');
  assert.equal(text.slice(findPassage(text, { start, end: start + 5 }).start), 'Third.');
});

test('a very long paragraph is cut to a window that contains the selection', () => {
  const long = 'word '.repeat(2000);
  const span = findPassage(long, { start: 5000, end: 5004 }, 400);
  assert.ok(span.end - span.start <= 400, `window of ${span.end - span.start}`);
  assert.ok(span.start <= 5000 && span.end >= 5004);
});

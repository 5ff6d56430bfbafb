import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passagesOf } from '../../../src/engine/generate';
import { lexComments } from '../../../src/engine/generate/formats/source-comments';
import { assertPassagesExact, readable } from './helpers';

test('markdown: headings start passages, code fences are left out, markup is blanked in the plain text', () => {
  const text = [
    '---',
    'title: front matter',
    '---',
    '# Guide',
    '',
    'SpanTune is a **tool** for [fine-tuning](https://x.example) models.',
    '',
    '```js',
    'const secret = "code is not prose";',
    '```',
    '',
    '## Install',
    '',
    '- Run `npm install` first.',
    '- Then run the *build* step.',
    '',
    '| Option | Default |',
    '|---|---|',
    '| --epochs | 2 |',
  ].join('\n');
  const passages = passagesOf({ path: 'docs/guide.md', text });
  assertPassagesExact(text, passages);
  const plain = readable(passages);
  assert.equal(passages.length, 2);
  assert.match(plain[0]!, /^Guide SpanTune is a tool for fine-tuning models\.$/);
  assert.ok(!plain.join(' ').includes('secret'));
  assert.ok(!plain.join(' ').includes('front matter'));
  assert.match(plain[1]!, /^Install Run npm install first\. Then run the build step\. Option Default --epochs 2$/);
  assert.deepEqual(passages[1]!.headings, ['Guide', 'Install']);
  const row = passages[1]!.blocks.find((block) => block.kind === 'table-row' && block.columns);
  assert.deepEqual(row?.columns, ['Option', 'Default']);
  assert.deepEqual(row!.cells!.map((cell) => text.slice(cell.start, cell.end)), ['--epochs', '2']);
});

test('plain text: paragraphs merge up to the size limit; a long paragraph is cut at sentence ends', () => {
  const sentence = 'The quick brown fox jumps over the lazy dog near the river bank. ';
  const text = `Title Line\n\n${sentence.repeat(60)}\n\nShort closing paragraph here.\n`;
  const passages = passagesOf({ path: 'notes.txt', text }, 500);
  assertPassagesExact(text, passages);
  assert.ok(passages.length >= 8);
  for (const passage of passages) assert.ok(passage.text.length <= 500, `passage of ${passage.text.length} chars`);
  for (const passage of passages.slice(1, -1)) assert.match(passage.text, /\.$/);
  assert.equal(passages[0]!.headings[0], 'Title Line');
});

test('reStructuredText: underlined titles, directives and literal blocks are left out', () => {
  const text = [
    'Overview',
    '========',
    '',
    'The engine reads *SQuAD* files.',
    '',
    '.. note::',
    '   Hidden directive body.',
    '',
    'Example::',
    '',
    '    literal code here',
    '',
    'Details',
    '-------',
    '',
    ':Author: Ada Lovelace',
    '',
    '- first item of the list',
  ].join('\n');
  const passages = passagesOf({ path: 'README.rst', text });
  assertPassagesExact(text, passages);
  const plain = readable(passages).join(' | ');
  assert.ok(!plain.includes('Hidden') && !plain.includes('literal code'), plain);
  assert.match(plain, /Overview The engine reads SQuAD files\./);
  assert.match(plain, /Details Author: Ada Lovelace first item of the list/);
});

test('AsciiDoc: = titles, attribute entries, listing blocks and comments left out', () => {
  const text = ['= Manual', ':version: 1.2', '', 'The *manual* explains the tool.', '', '----', 'listing block', '----', '', '// a comment', '== Usage', '', '* run the tool every day at noon'].join('\n');
  const passages = passagesOf({ path: 'manual.adoc', text });
  assertPassagesExact(text, passages);
  const plain = readable(passages).join(' | ');
  assert.ok(!plain.includes('listing block') && !plain.includes('a comment'), plain);
  assert.match(plain, /Manual version: 1\.2 The manual explains the tool\./);
  assert.match(plain, /Usage run the tool every day at noon/);
});

test('HTML: tags, scripts and entities blanked; headings, paragraphs, list items and table rows kept in place', () => {
  const text = `<!doctype html><html><head><title>T</title><style>p{}</style></head><body>
<h1>Fox &amp; Hound</h1>
<p>The <b>fox</b> lives in the forest.</p><script>var hidden = 1;</script>
<ul><li>first item</li><li>second item</li></ul>
<table><tr><th>Name</th><th>Age</th></tr><tr><td>Rex</td><td>4</td></tr></table>
</body></html>`;
  const passages = passagesOf({ path: 'page.html', text });
  assertPassagesExact(text, passages);
  const plain = readable(passages).join(' | ');
  assert.ok(!plain.includes('hidden') && !plain.includes('p{}'), plain);
  assert.match(plain, /Fox Hound The fox lives in the forest\. first item second item Name Age Rex 4/);
  const row = passages.flatMap((p) => p.blocks).find((block) => block.kind === 'table-row' && block.columns);
  assert.deepEqual(row?.columns, ['Name', 'Age']);
  assert.deepEqual(row!.cells!.map((cell) => text.slice(cell.start, cell.end)), ['Rex', '4']);
});

test('source files: comment blocks and docstrings become passages; strings, licences and commented-out code do not', () => {
  const ts = [
    '// Copyright 2024 Example Corp. Licensed under the MIT licence.',
    'const url = "http://example.com/*not a comment*/";',
    '/**',
    ' * Adds two numbers and returns their sum.',
    ' * @param a the first number',
    ' */',
    'export function add(a: number, b: number) { return a + b; }',
    '// const old = add(1, 2);',
    '// return old;',
  ].join('\n');
  const passages = passagesOf({ path: 'src/add.ts', text: ts });
  assertPassagesExact(ts, passages);
  assert.equal(passages.length, 1);
  assert.match(readable(passages)[0]!, /^Adds two numbers and returns their sum\. @param a the first number$/);
  assert.equal(passages[0]!.blocks[0]!.symbol, 'add');

  const py = 'def scale(values):\n    """Scales the values by two.\n\n    Returns the new list.\n    """\n    s = "# not a comment"\n    # Helper comment that explains the loop below.\n    return values\n';
  const pyPassages = passagesOf({ path: 'util.py', text: py });
  assertPassagesExact(py, pyPassages);
  assert.deepEqual(readable(pyPassages), ['Scales the values by two. Returns the new list.', 'Helper comment that explains the loop below.']);
  assert.equal(pyPassages[0]!.blocks[0]!.symbol, 'scale');

  const rust = "/// Parses a config file from disk.\n/// Returns an error when missing.\nfn parse<'a>(s: &'a str) -> i32 { let c = '\"'; 0 }\n";
  assert.deepEqual(lexComments(rust, 'rust').map((c) => rust.slice(c.start, c.end)), ['/// Parses a config file from disk.', '/// Returns an error when missing.']);
  const go = 'package main\n\n// Serve starts the HTTP server on the given port.\nfunc (s *Server) Serve(port int) error { return nil }\n';
  assert.equal(passagesOf({ path: 'main.go', text: go })[0]?.blocks[0]?.symbol, 'Serve');
});

test('unknown formats give no passages', () => {
  assert.deepEqual(passagesOf({ path: 'image.png', text: 'PNG' }), []);
  assert.deepEqual(passagesOf({ path: 'types.d.ts', text: '/** A declared type with docs. */' }), []);
});

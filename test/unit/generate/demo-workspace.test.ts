import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { test } from 'node:test';
import { discoverFiles, generateFromFiles } from '../../../src/engine/generate';

const demo = join(__dirname, '../../../demo/workspace');

test('the demo workspace: every kind of document in it yields pairs with the default generators', async () => {
  assert.ok(existsSync(demo), 'demo/workspace is missing');
  const { files, skipped } = await discoverFiles(['.'], { cwd: demo });
  // What discovery leaves out is data, not a document (a station file), and it says so.
  for (const file of skipped) assert.match(file.reason, /not a document format/, `${file.path}: ${file.reason}`);
  const { dataset } = await generateFromFiles(files, { now: new Date(0) });
  const pairsByKind = new Map<string, number>();
  for (const file of files) pairsByKind.set(extname(file.path), 0);
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs) {
      const source = paragraph.source as { path: string; start: number };
      const text = files.find((file) => file.path === source.path)!.text;
      for (const qa of paragraph.qas) {
        const answer = qa.answers[0]!;
        assert.equal(text.slice(source.start + answer.answer_start, source.start + answer.answer_start + answer.text.length), answer.text);
        pairsByKind.set(extname(source.path), pairsByKind.get(extname(source.path))! + 1);
      }
    }
  }
  assert.ok(pairsByKind.size >= 5, `only ${[...pairsByKind.keys()].join(', ')} in the demo workspace`);
  for (const [kind, pairs] of pairsByKind) assert.ok(pairs > 0, `no pair from the ${kind} files of the demo workspace`);
});

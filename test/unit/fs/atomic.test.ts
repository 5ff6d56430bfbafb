/** The atomic writers: nothing appears under the target's name until it is complete. */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { UserError } from '../../../src/engine/errors';
import { AtomicFileWriter, copyFileAtomic, copyFolderAtomic, syncAndRename, writeFilesAtomic } from '../../../src/engine/fs/atomic';

const dir = mkdtempSync(path.join(tmpdir(), 'spantune-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function folder(name: string): string {
  const out = path.join(dir, name);
  mkdirSync(out);
  return out;
}

test('a streamed file is invisible under its name until commit, then whole', async () => {
  const here = folder('stream');
  const target = path.join(here, 'log.jsonl');
  const writer = await AtomicFileWriter.open(target, { bufferBytes: 0 });
  void writer.write('{"a":1}\n');
  await writer.write('{"b":2}\n');
  assert.equal(existsSync(target), false);
  // Unbuffered: what was written is already in the temporary file, beside the target.
  assert.equal(readFileSync(writer.tempPath, 'utf8'), '{"a":1}\n{"b":2}\n');
  assert.equal(path.dirname(writer.tempPath), here);
  await writer.commit();
  assert.equal(readFileSync(target, 'utf8'), '{"a":1}\n{"b":2}\n');
  assert.deepEqual(readdirSync(here), ['log.jsonl']);
});

test('buffered pieces reach the file once the buffer fills, and all of them at commit', async () => {
  const target = path.join(folder('buffered'), 'dump.txt');
  const writer = await AtomicFileWriter.open(target, { bufferBytes: 10 });
  await writer.write('12345');
  assert.equal(readFileSync(writer.tempPath, 'utf8'), '');
  await writer.write('67890');
  assert.equal(readFileSync(writer.tempPath, 'utf8'), '1234567890');
  await writer.write('é');
  await writer.commit();
  assert.equal(readFileSync(target, 'utf8'), '1234567890é');
});

test('abort leaves the previous content and no temporary file', async () => {
  const here = folder('abort');
  const target = path.join(here, 'log.jsonl');
  writeFileSync(target, 'old\n');
  const writer = await AtomicFileWriter.open(target);
  await writer.write('new\n');
  await writer.abort();
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(here), ['log.jsonl']);
});

test('keepExisting appends to what the target holds (a resumed run\'s log), and starts empty without one', async () => {
  const here = folder('append');
  const target = path.join(here, 'log.jsonl');
  writeFileSync(target, 'first run\n');
  const writer = await AtomicFileWriter.open(target, { keepExisting: true, bufferBytes: 0 });
  await writer.write('resumed\n');
  assert.equal(readFileSync(target, 'utf8'), 'first run\n', 'the target is untouched until commit');
  await writer.commit();
  assert.equal(readFileSync(target, 'utf8'), 'first run\nresumed\n');

  const fresh = path.join(here, 'fresh.jsonl');
  const other = await AtomicFileWriter.open(fresh, { keepExisting: true });
  await other.write('x\n');
  await other.commit();
  assert.equal(readFileSync(fresh, 'utf8'), 'x\n');
});

test('a missing folder is a UserError at open; a commit that cannot rename leaves nothing behind', async () => {
  const here = folder('errors');
  await assert.rejects(AtomicFileWriter.open(path.join(here, 'no', 'log.jsonl')), (error: unknown) => {
    assert.ok(error instanceof UserError);
    assert.equal(error.message, `${path.join(here, 'no', 'log.jsonl')}: cannot write, the folder ${path.join(here, 'no')} does not exist`);
    return true;
  });
  // A non-empty folder under the target's name: the rename fails.
  const target = path.join(here, 'taken');
  mkdirSync(target);
  writeFileSync(path.join(target, 'inside'), '');
  const writer = await AtomicFileWriter.open(target);
  await writer.write('data');
  await assert.rejects(writer.commit(), /taken: cannot write, it is a folder|ENOTEMPTY|EISDIR/);
  assert.deepEqual(readdirSync(here).sort(), ['taken']);
  assert.deepEqual(readdirSync(target), ['inside']);
  assert.throws(() => writer.write('more'), /already committed or aborted/);
});

test('copyFileAtomic and syncAndRename put whole files in place', async () => {
  const here = folder('copy');
  const from = path.join(here, 'source.bin');
  writeFileSync(from, Buffer.alloc(100_000, 7));
  const to = path.join(here, 'copy.bin');
  writeFileSync(to, 'old');
  await copyFileAtomic(from, to);
  assert.deepEqual(readFileSync(to), readFileSync(from));
  await assert.rejects(copyFileAtomic(path.join(here, 'missing'), path.join(here, 'never')), /ENOENT/);
  const temp = path.join(here, 'temp');
  writeFileSync(temp, 'done');
  await syncAndRename(temp, path.join(here, 'final'));
  assert.deepEqual(readdirSync(here).sort(), ['copy.bin', 'final', 'source.bin']);
});

test('writeFilesAtomic writes all files, or none when one of them cannot be written', async () => {
  const here = folder('several');
  await writeFilesAtomic([[path.join(here, 'a.json'), 'A'], [path.join(here, 'b.json'), Buffer.from('B')]]);
  assert.deepEqual(readdirSync(here).sort(), ['a.json', 'b.json']);
  await assert.rejects(
    writeFilesAtomic([[path.join(here, 'a.json'), 'new A'], [path.join(here, 'missing', 'c.json'), 'C']]),
    (error: unknown) => error instanceof UserError && /missing\/c\.json: cannot write, the folder .*missing does not exist/.test(error.message),
  );
  assert.deepEqual(readdirSync(here).sort(), ['a.json', 'b.json'], 'no temporary file left');
  assert.equal(readFileSync(path.join(here, 'a.json'), 'utf8'), 'A', 'the first file was not replaced');
});

test('copyFolderAtomic copies a folder with its subfolders and linked files, or leaves nothing', async () => {
  const here = folder('copy-folder');
  const model = path.join(here, 'model');
  mkdirSync(path.join(model, 'onnx'), { recursive: true });
  writeFileSync(path.join(model, 'config.json'), '{}');
  writeFileSync(path.join(model, 'onnx', 'model.onnx'), Buffer.alloc(50_000, 3));
  writeFileSync(path.join(here, 'shared-vocab.txt'), '[PAD]\n');
  symlinkSync(path.join(here, 'shared-vocab.txt'), path.join(model, 'vocab.txt'));
  const exported = path.join(here, 'exported');
  await copyFolderAtomic(model, exported);
  assert.deepEqual(readdirSync(exported).sort(), ['config.json', 'onnx', 'vocab.txt']);
  assert.deepEqual(readFileSync(path.join(exported, 'onnx', 'model.onnx')), Buffer.alloc(50_000, 3));
  assert.equal(readFileSync(path.join(exported, 'vocab.txt'), 'utf8'), '[PAD]\n', 'the link is followed');

  // A link to a missing file fails the copy part-way: neither the target nor the staging folder stays.
  symlinkSync(path.join(here, 'gone.bin'), path.join(model, 'zz-broken.bin'));
  await assert.rejects(copyFolderAtomic(model, path.join(here, 'failed')), /ENOENT/);
  assert.deepEqual(readdirSync(here).sort(), ['exported', 'model', 'shared-vocab.txt']);
});

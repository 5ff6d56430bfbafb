import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../../src/engine/errors';
import { decodeFloat16 } from '../../../src/engine/checkpoint/dtypes';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from '../../../src/engine/checkpoint/safetensors';
import {
  buildSafetensors,
  f32Bytes,
  parseFileByHand,
  rawSafetensors,
  tempDir,
  tensorByHand,
  tinyBertDir,
  u16Bytes,
} from './helpers';

function writeTemp(name: string, bytes: Uint8Array): string {
  const file = path.join(tempDir(), name);
  writeFileSync(file, bytes);
  return file;
}

async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

test('reads the header of the BERT fixture: 39 tensors, shapes, metadata', async () => {
  const header = await readSafetensorsHeader(path.join(tinyBertDir, 'model.safetensors'));
  assert.equal(header.tensors.size, 39);
  assert.deepEqual(header.metadata, { format: 'pt' });
  assert.deepEqual(header.tensors.get('bert.embeddings.word_embeddings.weight')?.shape, [30522, 32]);
  assert.deepEqual(header.tensors.get('bert.encoder.layer.1.output.dense.weight')?.shape, [32, 64]);
  assert.deepEqual(header.tensors.get('qa_outputs.weight')?.shape, [2, 32]);
  assert.equal(header.tensors.get('qa_outputs.weight')?.dtype, 'F32');
});

test('reads a selected subset of fixture tensors with the values a hand parse gives', async () => {
  const file = path.join(tinyBertDir, 'model.safetensors');
  const names = ['qa_outputs.weight', 'bert.encoder.layer.0.attention.self.query.bias', 'bert.embeddings.word_embeddings.weight'];
  const { tensors } = await readSafetensors(file, { names });
  assert.deepEqual([...tensors.keys()], names);
  const byHand = parseFileByHand(file);
  for (const name of names) {
    const expected = tensorByHand(byHand, name);
    const actual = tensors.get(name)!.data;
    assert.equal(actual.length, expected.length, name);
    for (const i of [0, 1, expected.length >> 1, expected.length - 1]) assert.equal(actual[i], expected[i], `${name}[${i}]`);
  }
  assert.deepEqual([...tensors.get('qa_outputs.weight')!.data], tensorByHand(byHand, 'qa_outputs.weight'));
});

test('F16 values decode exactly, including subnormals, infinities, NaN and negative zero', async () => {
  const bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555];
  const expected = [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, NaN, -0, 0.333251953125];
  const file = writeTemp('f16.safetensors', buildSafetensors([{ name: 'h', dtype: 'F16', shape: [bits.length], bytes: u16Bytes(bits) }]));
  const { tensors } = await readSafetensors(file);
  const data = tensors.get('h')!.data;
  expected.forEach((v, i) => assert.ok(sameBits(data[i]!, v), `F16 0x${bits[i]!.toString(16)}: got ${data[i]}, want ${v}`));
  assert.equal(decodeFloat16(0x3c00), 1);
});

test('BF16 values widen exactly to float32', async () => {
  const bits = [0x3f80, 0xc000, 0x4049, 0x7f80, 0x0001, 0x7f7f, 0x8000, 0x7fc0];
  const expected = [1, -2, 3.140625, Infinity, 2 ** -133, 3.3895313892515355e38, -0, NaN];
  const file = writeTemp('bf16.safetensors', buildSafetensors([{ name: 'b', dtype: 'BF16', shape: [2, 4], bytes: u16Bytes(bits) }]));
  const { tensors } = await readSafetensors(file);
  const tensor = tensors.get('b')!;
  assert.deepEqual(tensor.shape, [2, 4]);
  expected.forEach((v, i) => assert.ok(sameBits(tensor.data[i]!, v), `BF16 0x${bits[i]!.toString(16)}: got ${tensor.data[i]}`));
});

test('F64 is rounded to the nearest float32', async () => {
  const values = [0.1, -1 / 3, 1e300, 2 ** -160];
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => bytes.writeDoubleLE(v, i * 8));
  const file = writeTemp('f64.safetensors', buildSafetensors([{ name: 'd', dtype: 'F64', shape: [4], bytes }]));
  const { tensors } = await readSafetensors(file);
  assert.deepEqual([...tensors.get('d')!.data], values.map(Math.fround));
});

test('an unpadded header (data at an odd offset) still reads F32 correctly', async () => {
  const header = JSON.stringify({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } }) + ' ';
  const bytes = rawSafetensors(header.length % 2 === 0 ? `${header} ` : header, f32Bytes([1.5, -2.25, 3e-8]));
  assert.equal((bytes.readUInt32LE(0) + 8) % 2, 1, 'the test wants an odd data offset');
  const { tensors } = await readSafetensors(writeTemp('odd.safetensors', bytes));
  assert.deepEqual([...tensors.get('x')!.data], [1.5, -2.25, Math.fround(3e-8)]);
});

test('integer tensors: a header holding them parses, reading all skips them, naming one is refused', async () => {
  const file = writeTemp(
    'mixed.safetensors',
    buildSafetensors([
      { name: 'bert.embeddings.position_ids', dtype: 'I64', shape: [1, 2], bytes: Buffer.alloc(16) },
      { name: 'w', dtype: 'F32', shape: [1], bytes: f32Bytes([7]) },
    ]),
  );
  const header = await readSafetensorsHeader(file);
  assert.equal(header.tensors.get('bert.embeddings.position_ids')?.dtype, 'I64');
  const { tensors } = await readSafetensors(file);
  assert.deepEqual([...tensors.keys()], ['w']);
  await rejectsWith(readSafetensors(file, { names: ['bert.embeddings.position_ids'] }), /tensor "bert\.embeddings\.position_ids" has dtype I64; only floating-point weights \(F32, F16, BF16, F64\) can be read/);
  await rejectsWith(readSafetensors(file, { names: ['nope'] }), /mixed\.safetensors has no tensor "nope"/);
});

test('bad files get specific messages naming the file, the tensor and the problem', async (t) => {
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const cases: { name: string; bytes: Uint8Array; message: RegExp }[] = [
    { name: 'empty', bytes: new Uint8Array(0), message: /^empty\.safetensors is empty/ },
    { name: 'short', bytes: new Uint8Array(5), message: /^short\.safetensors is too short to be a safetensors file: 5 bytes/ },
    {
      name: 'huge-length',
      bytes: (() => {
        const b = rawSafetensors({ x: ok }, f32Bytes([1, 2]));
        b.writeBigUInt64LE(1_234_567n);
        return b;
      })(),
      message: /header length of 1,234,567 bytes, but only \d+ bytes follow/,
    },
    { name: 'not-json', bytes: rawSafetensors('{"x": {"dtype": "F32",', f32Bytes([1, 2])), message: /corrupt header: not valid JSON/ },
    { name: 'not-brace', bytes: rawSafetensors('PK\u0003\u0004 zip', f32Bytes([1, 2])), message: /does not start with "\{"/ },
    { name: 'bad-utf8', bytes: rawSafetensors(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), message: /corrupt header: it is not valid UTF-8/ },
    { name: 'array', bytes: rawSafetensors('[1, 2]'), message: /does not start with "\{" \(starts with "\[1, 2\]"\)/ },
    { name: 'unknown-dtype', bytes: rawSafetensors({ x: { ...ok, dtype: 'F17' } }, f32Bytes([1, 2])), message: /tensor "x" has unknown dtype "F17" \(known: BOOL, U8/ },
    { name: 'no-dtype', bytes: rawSafetensors({ x: { shape: [2], data_offsets: [0, 8] } }, f32Bytes([1, 2])), message: /tensor "x" has no dtype/ },
    { name: 'bad-shape', bytes: rawSafetensors({ x: { ...ok, shape: [2, -1] } }, f32Bytes([1, 2])), message: /tensor "x" has an invalid shape \[2,-1\]/ },
    { name: 'bad-offsets', bytes: rawSafetensors({ x: { ...ok, data_offsets: [8, 0] } }, f32Bytes([1, 2])), message: /tensor "x" has invalid data_offsets \[8,0\]/ },
    {
      name: 'size-mismatch',
      bytes: rawSafetensors({ x: { ...ok, shape: [3] } }, f32Bytes([1, 2])),
      message: /tensor "x" has shape \[3\] of dtype F32 \(12 bytes\) but its data_offsets \[0, 8\] span 8 bytes/,
    },
    {
      name: 'overlap',
      bytes: rawSafetensors({ a: ok, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32Bytes([1, 2, 3])),
      message: /tensors "a" \(bytes 0–8\) and "b" \(bytes 4–12\) overlap/,
    },
    {
      name: 'gap',
      bytes: rawSafetensors({ a: ok, b: { dtype: 'F32', shape: [1], data_offsets: [12, 16] } }, f32Bytes([1, 2, 3, 4])),
      message: /bytes 8–12 of the tensor data belong to no tensor \(gap between "a" and "b"\)/,
    },
    {
      name: 'truncated',
      bytes: rawSafetensors({ x: { dtype: 'F32', shape: [308642], data_offsets: [0, 1_234_568] } }, new Uint8Array(1_000_000)),
      message: /^truncated\.safetensors is truncated: header says 1,234,568 bytes of tensor data, file has 1,000,000$/,
    },
    { name: 'trailing', bytes: rawSafetensors({ x: ok }, f32Bytes([1, 2, 3])), message: /has 4 bytes after the last tensor/ },
    { name: 'metadata', bytes: rawSafetensors({ __metadata__: { format: 1 }, x: ok }, f32Bytes([1, 2])), message: /"__metadata__" value for "format" is not a string/ },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const file = writeTemp(`${c.name}.safetensors`, c.bytes);
      await rejectsWith(readSafetensors(file), c.message);
      assert.match((await readSafetensors(file).catch((e: Error) => e) as Error).message, new RegExp(`${c.name}\\.safetensors`));
    });
  }
});

test('a missing file is a UserError naming it', async () => {
  await rejectsWith(readSafetensorsHeader(path.join(tempDir(), 'model.safetensors')), /^model\.safetensors not found: /);
});

test('the writer lays out the format exactly: 8-byte aligned space-padded header, sorted names, contiguous data', async () => {
  const file = path.join(tempDir(), 'out.safetensors');
  const tensors = [
    { name: 'b.weight', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    { name: '10', shape: [1], data: new Float32Array([10]) },
    { name: 'a.bias', shape: [3], data: new Float32Array([-1, -2, -3]) },
    { name: '2', shape: [], data: new Float32Array([2]) },
    { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
  ];
  await writeSafetensors(file, tensors);
  const bytes = readFileSync(file);
  const parsed = parseFileByHand(file);
  assert.equal(parsed.headerLength % 8, 0);
  assert.equal(parsed.headerText[0], '{');
  assert.match(parsed.headerText, /^\{.*\} *$/);
  assert.ok(parsed.headerText.trimEnd().length > parsed.headerLength - 8, 'padding is at most 7 spaces');
  assert.deepEqual(parsed.header.__metadata__, { format: 'pt' });
  const order = [...parsed.headerText.matchAll(/"([^"]+)":\{"dtype"/g)].map((m) => m[1]);
  assert.deepEqual(order, ['10', '2', 'a.bias', 'b.weight', 'empty']);
  let offset = 0;
  for (const name of order) {
    const entry = parsed.header[name!] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const source = tensors.find((t) => t.name === name)!;
    assert.equal(entry.dtype, 'F32');
    assert.deepEqual(entry.shape, source.shape);
    assert.deepEqual(entry.data_offsets, [offset, offset + source.data.length * 4]);
    assert.deepEqual(tensorByHand(parsed, name!), [...source.data]);
    offset += source.data.length * 4;
  }
  assert.equal(bytes.length, 8 + parsed.headerLength + offset);
  assert.deepEqual(readdirSync(path.dirname(file)), ['out.safetensors'], 'no temporary file is left');
});

test('write → read is bit-exact, NaN payloads, negative zero and subnormals included', async () => {
  const bits = new Uint32Array([0x7fc00001, 0xffc12345, 0x80000000, 0x00000001, 0x7f7fffff, 0xff800000, 0x3eaaaaab, 0x807fffff]);
  const data = new Float32Array(bits.buffer);
  const random = new Float32Array(1000).map((_, i) => Math.sin(i * 12.9898) * 43758.5453);
  const file = path.join(tempDir(), 'round.safetensors');
  await writeSafetensors(file, [
    { name: 'special', shape: [2, 4], data },
    { name: 'random', shape: [10, 10, 10], data: random },
  ], { format: 'pt', note: 'spantune' });
  const { header, tensors } = await readSafetensors(file);
  assert.deepEqual(header.metadata, { format: 'pt', note: 'spantune' });
  assert.deepEqual([...new Uint32Array(tensors.get('special')!.data.slice().buffer)], [...bits]);
  assert.deepEqual(tensors.get('random')!.shape, [10, 10, 10]);
  assert.deepEqual(Buffer.from(tensors.get('random')!.data.buffer, tensors.get('random')!.data.byteOffset, 4000), Buffer.from(random.buffer));
});

test('the writer writes views of larger buffers correctly (subarray data)', async () => {
  const big = new Float32Array([9, 9, 1, 2, 3, 9]);
  const file = path.join(tempDir(), 'view.safetensors');
  await writeSafetensors(file, [{ name: 'v', shape: [3], data: big.subarray(2, 5) }]);
  assert.deepEqual(tensorByHand(parseFileByHand(file), 'v'), [1, 2, 3]);
});

test('a failing write leaves the previous file untouched and no temporary file behind', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'model.safetensors');
  await writeSafetensors(file, [{ name: 'x', shape: [1], data: new Float32Array([1]) }]);
  const before = readFileSync(file);
  await assert.rejects(writeSafetensors(file, [{ name: 'x', shape: [2], data: new Float32Array([1]) }]), /shape \[2\] \(2 values\) but 1 values/);
  await assert.rejects(writeSafetensors(file, [
    { name: 'x', shape: [1], data: new Float32Array([1]) },
    { name: 'x', shape: [1], data: new Float32Array([2]) },
  ]), /given twice/);
  assert.deepEqual(readFileSync(file), before);
  assert.deepEqual(readdirSync(dir), ['model.safetensors']);
});

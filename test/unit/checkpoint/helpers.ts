/**
 * Test helpers that build safetensors files and model folders by hand (byte by byte), independently
 * of the writer under test, and parse them back the same way.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export const sharedDir = path.resolve(__dirname, '../../..', '../shared');
export const tinyBertDir = path.join(sharedDir, 'fixtures/models/tiny-bert-qa');
export const tinyDistilBertDir = path.join(sharedDir, 'fixtures/models/tiny-distilbert-qa');

const createdDirs: string[] = [];
after(() => {
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'spantune-checkpoint-'));
  createdDirs.push(dir);
  return dir;
}

/** 8-byte little-endian length + header text (not padded unless the caller pads) + data. */
export function rawSafetensors(header: string | object | Uint8Array, data: Uint8Array = new Uint8Array(0)): Buffer {
  const headerBytes =
    header instanceof Uint8Array ? Buffer.from(header) : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  return Buffer.concat([prefix, headerBytes, data]);
}

export interface RawTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A well-formed safetensors file holding `tensors` in the given order. */
export function buildSafetensors(tensors: RawTensor[], metadata: Record<string, string> | null = { format: 'pt' }): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  return rawSafetensors(header, Buffer.concat(tensors.map((t) => Buffer.from(t.bytes))));
}

export function f32Bytes(values: number[] | Float32Array): Uint8Array {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

export function u16Bytes(bits: number[]): Uint8Array {
  const out = Buffer.alloc(bits.length * 2);
  bits.forEach((b, i) => out.writeUInt16LE(b, i * 2));
  return out;
}

export interface ParsedFile {
  headerLength: number;
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  headerText: string;
  data: Buffer;
}

/** Parses a safetensors file with plain Buffer reads (independent of the reader under test). */
export function parseFileByHand(filePath: string): ParsedFile {
  const bytes = readFileSync(filePath);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
  return { headerLength, header: JSON.parse(headerText), headerText, data: bytes.subarray(8 + headerLength) };
}

/** A tensor's float32 values from a hand-parsed file. */
export function tensorByHand(parsed: ParsedFile, name: string): number[] {
  const entry = parsed.header[name] as { data_offsets: [number, number] };
  const [begin, end] = entry.data_offsets;
  const values: number[] = [];
  for (let at = begin; at < end; at += 4) values.push(parsed.data.readFloatLE(at));
  return values;
}

/** A deterministic pseudo-random generator (mulberry32), so test weights are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyModelOptions {
  hidden?: number;
  layers?: number;
  intermediate?: number;
  vocab?: number;
  positions?: number;
  /** Tensor-name prefix as stored ('bert.', '' for a bare BertModel, 'electra.'). */
  prefix?: string;
  /** ELECTRA: embedding width when different from hidden. */
  embedding?: number;
  qaHead?: boolean;
  /** Extra tensors the file holds (pooler, MLM head). */
  extras?: RawTensor[];
  /** Spell LayerNorm parameters gamma/beta, as TensorFlow-era checkpoints do. */
  gammaBeta?: boolean;
  dtype?: 'F32' | 'F16';
}

/** The tensors of a tiny BERT-layout checkpoint, with seeded values, as stored in a file. */
export function tinyBertTensors(options: TinyModelOptions = {}): RawTensor[] {
  const H = options.hidden ?? 8;
  const E = options.embedding ?? H;
  const I = options.intermediate ?? 16;
  const L = options.layers ?? 2;
  const V = options.vocab ?? 12;
  const P = options.positions ?? 10;
  const p = options.prefix ?? 'bert.';
  const random = seededRandom(H * 1000 + L);
  const dtype = options.dtype ?? 'F32';
  const tensors: RawTensor[] = [];
  const add = (name: string, shape: number[]): void => {
    const count = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: count }, () => random() - 0.5);
    const bytes = dtype === 'F32' ? f32Bytes(values) : u16Bytes(values.map(() => 0x3c00)); // F16 1.0
    tensors.push({ name, dtype, shape, bytes });
  };
  const ln = (name: string, width: number): void => {
    add(`${name}.${options.gammaBeta ? 'gamma' : 'weight'}`, [width]);
    add(`${name}.${options.gammaBeta ? 'beta' : 'bias'}`, [width]);
  };
  const linear = (name: string, out: number, inp: number): void => {
    add(`${name}.weight`, [out, inp]);
    add(`${name}.bias`, [out]);
  };
  add(`${p}embeddings.word_embeddings.weight`, [V, E]);
  add(`${p}embeddings.position_embeddings.weight`, [P, E]);
  add(`${p}embeddings.token_type_embeddings.weight`, [2, E]);
  ln(`${p}embeddings.LayerNorm`, E);
  if (E !== H) linear(`${p}embeddings_project`, H, E);
  for (let i = 0; i < L; i++) {
    const l = `${p}encoder.layer.${i}`;
    for (const part of ['query', 'key', 'value']) linear(`${l}.attention.self.${part}`, H, H);
    linear(`${l}.attention.output.dense`, H, H);
    ln(`${l}.attention.output.LayerNorm`, H);
    linear(`${l}.intermediate.dense`, I, H);
    linear(`${l}.output.dense`, H, I);
    ln(`${l}.output.LayerNorm`, H);
  }
  if (options.qaHead ?? true) linear('qa_outputs', 2, H);
  return [...tensors, ...(options.extras ?? [])];
}

export function tinyBertConfig(options: TinyModelOptions = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const electra = options.prefix === 'electra.';
  return {
    architectures: [electra ? 'ElectraForQuestionAnswering' : 'BertForQuestionAnswering'],
    model_type: electra ? 'electra' : 'bert',
    hidden_size: options.hidden ?? 8,
    ...(electra ? { embedding_size: options.embedding ?? options.hidden ?? 8 } : {}),
    num_hidden_layers: options.layers ?? 2,
    num_attention_heads: 2,
    intermediate_size: options.intermediate ?? 16,
    vocab_size: options.vocab ?? 12,
    max_position_embeddings: options.positions ?? 10,
    type_vocab_size: 2,
    hidden_act: 'gelu',
    ...extra,
  };
}

/** Writes config.json and model.safetensors for a tiny model into a new temporary folder. */
export function writeTinyModel(options: TinyModelOptions = {}, configExtra: Record<string, unknown> = {}): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(tinyBertConfig(options, configExtra)));
  writeFileSync(path.join(dir, 'model.safetensors'), buildSafetensors(tinyBertTensors(options)));
  return dir;
}

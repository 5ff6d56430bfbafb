/**
 * Reading and writing the safetensors format: an 8-byte little-endian header length, a JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}`, offsets
 * relative to the end of the header), then the tensor bytes, contiguous and without gaps.
 *
 * The reader parses the header alone and then reads only the requested tensors by offset, so a
 * multi-gigabyte file is never held in memory at once. Every check the reference (Rust) reader makes
 * is made here too, with a message naming the file, the tensor and the problem.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';
import { writeFileAtomically, writeFully } from '../fs/atomic';
import { DTYPE_BYTES, FLOAT_DTYPES, float32Bytes, isDtype, isFloatDtype, toFloat32, type Dtype } from './dtypes';

/** A float32 tensor in row-major order. */
export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

export interface NamedTensor extends FloatTensor {
  name: string;
}

export interface SafetensorsTensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** Offset of the first byte in the file (absolute, header included). */
  fileOffset: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  path: string;
  /** How messages name the file: its base name. */
  label: string;
  fileSize: number;
  /** Where the tensor data starts: 8 + header length. */
  dataStart: number;
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
}

/** The format's own limit on the header (the Rust reader refuses larger ones). */
const MAX_HEADER_BYTES = 100_000_000;
/** Reads and writes go in pieces of at most this size (a single read() call is capped near 2 GiB). */
const IO_CHUNK_BYTES = 64 * 1024 * 1024;
const METADATA_KEY = '__metadata__';

export const formatCount = (n: number): string => n.toLocaleString('en-US');
const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Reads and validates the header of a safetensors file. */
export async function readSafetensorsHeader(filePath: string, label = path.basename(filePath)): Promise<SafetensorsHeader> {
  const file = await openForReading(filePath, label);
  try {
    return await readHeaderFrom(file, filePath, label);
  } finally {
    await file.close();
  }
}

/**
 * Reads the tensors named in `names` (all floating-point tensors when omitted) as float32.
 * Tensors of other dtypes are skipped when no names are given and refused when named.
 */
export async function readSafetensors(
  filePath: string,
  options: { names?: Iterable<string>; label?: string } = {},
): Promise<{ header: SafetensorsHeader; tensors: Map<string, FloatTensor> }> {
  const label = options.label ?? path.basename(filePath);
  const file = await openForReading(filePath, label);
  try {
    const header = await readHeaderFrom(file, filePath, label);
    const names = options.names
      ? [...options.names]
      : [...header.tensors.values()].filter((t) => isFloatDtype(t.dtype)).map((t) => t.name);
    const tensors = await readTensorsFrom(file, header, names);
    return { header, tensors };
  } finally {
    await file.close();
  }
}

/** Reads named tensors from a file whose header was already read with `readSafetensorsHeader`. */
export async function readSafetensorsTensors(
  header: SafetensorsHeader,
  names: Iterable<string>,
): Promise<Map<string, FloatTensor>> {
  const file = await openForReading(header.path, header.label);
  try {
    const stat = await file.stat();
    if (stat.size !== header.fileSize) {
      throw new UserError(`${header.label} changed while it was being read (${formatCount(header.fileSize)} bytes, now ${formatCount(stat.size)})`);
    }
    return await readTensorsFrom(file, header, [...names]);
  } finally {
    await file.close();
  }
}

async function openForReading(filePath: string, label: string): Promise<FileHandle> {
  try {
    return await fs.open(filePath, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${label} not found: ${filePath}`, { cause: error });
    if (code === 'EISDIR') throw new UserError(`${label} is a folder, not a safetensors file: ${filePath}`, { cause: error });
    throw new UserError(`cannot open ${label} (${code ?? String(error)}): ${filePath}`, { cause: error });
  }
}

async function readHeaderFrom(file: FileHandle, filePath: string, label: string): Promise<SafetensorsHeader> {
  const fileSize = (await file.stat()).size;
  if (fileSize < 8) {
    throw new UserError(
      fileSize === 0
        ? `${label} is empty; a safetensors file starts with an 8-byte header length`
        : `${label} is too short to be a safetensors file: ${fileSize} bytes, but the header length alone takes 8`,
    );
  }
  const lengthBytes = await readExactly(file, 0, 8, label);
  const declared = Buffer.from(lengthBytes.buffer, lengthBytes.byteOffset, 8).readBigUInt64LE(0);
  const available = fileSize - 8;
  if (declared > BigInt(available)) {
    throw new UserError(
      `${label} is truncated or not a safetensors file: its first 8 bytes give a header length of ` +
        `${formatCount(Number(declared))} bytes, but only ${formatCount(available)} bytes follow`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new UserError(
      `${label} has a header of ${formatCount(headerLength)} bytes, over the format's limit of ` +
        `${formatCount(MAX_HEADER_BYTES)}; the file is corrupt or not a safetensors file`,
    );
  }
  const headerBytes = await readExactly(file, 8, headerLength, label);
  const header = parseSafetensorsHeader(headerBytes, label, fileSize - 8 - headerLength, 8 + headerLength);
  return { path: filePath, label, fileSize, dataStart: 8 + headerLength, ...header };
}

/**
 * Parses and validates header bytes. `dataLength` is the number of bytes after the header;
 * `dataStart` turns relative offsets into file offsets.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  label: string,
  dataLength: number,
  dataStart: number,
): { tensors: Map<string, SafetensorsTensorInfo>; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch (error) {
    throw new UserError(`${label} has a corrupt header: it is not valid UTF-8`, { cause: error });
  }
  if (!text.startsWith('{')) {
    throw new UserError(`${label} has a corrupt header: it does not start with "{" (starts with ${JSON.stringify(text.slice(0, 16))}); the file is damaged or not a safetensors file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${label} has a corrupt header: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (!isPlainObject(parsed)) throw new UserError(`${label} has a corrupt header: the JSON is not an object`);

  let metadata: Record<string, string> = {};
  const entries: SafetensorsTensorInfo[] = [];
  const relativeBegin = new Map<string, number>();
  for (const [name, value] of Object.entries(parsed)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(value, label);
      continue;
    }
    const where = `${label}: tensor "${name}"`;
    if (!isPlainObject(value)) throw new UserError(`${where} has no {dtype, shape, data_offsets} entry in the header`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (typeof dtype !== 'string') throw new UserError(`${where} has no dtype in the header`);
    if (!isDtype(dtype)) {
      throw new UserError(`${where} has unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
      throw new UserError(`${where} has an invalid shape ${JSON.stringify(shape)} (expected a list of non-negative integers)`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
      throw new UserError(`${where} has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end] with 0 ≤ begin ≤ end)`);
    }
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = elements * DTYPE_BYTES[dtype];
    if (end - begin !== expectedBytes) {
      throw new UserError(
        `${where} has shape ${formatShape(shape as number[])} of dtype ${dtype} (${formatCount(expectedBytes)} bytes) ` +
          `but its data_offsets [${begin}, ${end}] span ${formatCount(end - begin)} bytes`,
      );
    }
    entries.push({ name, dtype, shape: shape as number[], fileOffset: dataStart + begin, byteLength: end - begin });
    relativeBegin.set(name, begin);
  }

  checkContiguous(entries, relativeBegin, label, dataLength);
  return { tensors: new Map(entries.map((e) => [e.name, e])), metadata };
}

/** The data must be covered exactly once, in order, as the reference reader requires. */
function checkContiguous(
  entries: SafetensorsTensorInfo[],
  relativeBegin: Map<string, number>,
  label: string,
  dataLength: number,
): void {
  const ordered = [...entries].sort((a, b) => relativeBegin.get(a.name)! - relativeBegin.get(b.name)! || a.byteLength - b.byteLength);
  let covered = 0;
  let previous: SafetensorsTensorInfo | undefined;
  for (const entry of ordered) {
    const begin = relativeBegin.get(entry.name)!;
    const end = begin + entry.byteLength;
    if (begin < covered && previous) {
      const prevBegin = relativeBegin.get(previous.name)!;
      throw new UserError(
        `${label} is corrupt: tensors "${previous.name}" (bytes ${prevBegin}–${covered}) and "${entry.name}" ` +
          `(bytes ${begin}–${end}) overlap`,
      );
    }
    if (begin > covered) {
      throw new UserError(
        `${label} is corrupt: bytes ${covered}–${begin} of the tensor data belong to no tensor ` +
          (previous ? `(gap between "${previous.name}" and "${entry.name}")` : `(before "${entry.name}")`),
      );
    }
    covered = end;
    previous = entry;
  }
  if (covered > dataLength) {
    throw new UserError(
      `${label} is truncated: header says ${formatCount(covered)} bytes of tensor data, file has ${formatCount(dataLength)}`,
    );
  }
  if (covered < dataLength) {
    throw new UserError(
      `${label} is corrupt: it has ${formatCount(dataLength - covered)} bytes after the last tensor ` +
        `(header says ${formatCount(covered)} bytes of tensor data, file has ${formatCount(dataLength)})`,
    );
  }
}

function parseMetadata(value: unknown, label: string): Record<string, string> {
  if (value === null) return {};
  if (!isPlainObject(value)) throw new UserError(`${label} has a corrupt header: "${METADATA_KEY}" is not an object`);
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      throw new UserError(`${label} has a corrupt header: "${METADATA_KEY}" value for "${key}" is not a string`);
    }
    out[key] = entry;
  }
  return out;
}

async function readTensorsFrom(
  file: FileHandle,
  header: SafetensorsHeader,
  names: string[],
): Promise<Map<string, FloatTensor>> {
  const out = new Map<string, FloatTensor>();
  for (const name of names) {
    const info = header.tensors.get(name);
    if (!info) throw new UserError(`${header.label} has no tensor "${name}"`);
    if (!isFloatDtype(info.dtype)) {
      throw new UserError(
        `${header.label}: tensor "${name}" has dtype ${info.dtype}; only floating-point weights ` +
          `(${FLOAT_DTYPES.join(', ')}) can be read`,
      );
    }
    // A fresh ArrayBuffer starts 8-byte aligned, so the typed-array views in toFloat32 need no copy.
    const bytes = await readExactly(file, info.fileOffset, info.byteLength, header.label);
    out.set(name, { shape: [...info.shape], data: toFloat32(info.dtype, bytes) });
  }
  return out;
}

async function readExactly(file: FileHandle, position: number, length: number, label: string): Promise<Uint8Array> {
  const bytes = new Uint8Array(new ArrayBuffer(length));
  let done = 0;
  while (done < length) {
    const want = Math.min(IO_CHUNK_BYTES, length - done);
    const { bytesRead } = await file.read(bytes, done, want, position + done);
    if (bytesRead === 0) {
      throw new UserError(`${label} is truncated: expected ${formatCount(length)} bytes at offset ${formatCount(position)}, file ended after ${formatCount(done)}`);
    }
    done += bytesRead;
  }
  return bytes;
}

/**
 * Writes float32 tensors as a safetensors file, atomically (temporary file, then rename) and without
 * gathering the tensor bytes in one buffer. The header is padded with spaces to a multiple of 8 bytes
 * and tensors are laid out sorted by name, as the reference writer does; metadata defaults to
 * `{"format": "pt"}`, which Python `transformers` requires to load the file.
 */
export async function writeSafetensors(
  filePath: string,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = { format: 'pt' },
): Promise<void> {
  const { headerBytes, ordered } = buildHeader(tensors, metadata);
  await writeFileAtomically(filePath, async (file) => {
    const prefix = new Uint8Array(8);
    new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
    let position = await writeFully(file, prefix, 0);
    position = await writeFully(file, headerBytes, position);
    for (const tensor of ordered) {
      const bytes = float32Bytes(tensor.data);
      for (let start = 0; start < bytes.byteLength; start += IO_CHUNK_BYTES) {
        position = await writeFully(file, bytes.subarray(start, start + IO_CHUNK_BYTES), position);
      }
    }
  });
}

/** The padded header and the tensors in file order. Exported for tests of the byte layout. */
export function buildHeader(
  tensors: readonly NamedTensor[],
  metadata: Record<string, string>,
): { headerBytes: Uint8Array; ordered: NamedTensor[] } {
  const seen = new Set<string>();
  for (const tensor of tensors) {
    if (tensor.name === '' || tensor.name === METADATA_KEY) throw new Error(`writeSafetensors: invalid tensor name ${JSON.stringify(tensor.name)}`);
    if (seen.has(tensor.name)) throw new Error(`writeSafetensors: tensor "${tensor.name}" given twice`);
    seen.add(tensor.name);
    if (!tensor.shape.every(isNonNegativeInteger)) {
      throw new Error(`writeSafetensors: tensor "${tensor.name}" has an invalid shape ${formatShape(tensor.shape)}`);
    }
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) {
      throw new Error(`writeSafetensors: tensor "${tensor.name}" has shape ${formatShape(tensor.shape)} (${elements} values) but ${tensor.data.length} values`);
    }
  }
  const ordered = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Built by hand: JSON.stringify of an object would move integer-like tensor names to the front.
  const parts: string[] = [];
  if (Object.keys(metadata).length > 0) parts.push(`${JSON.stringify(METADATA_KEY)}:${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const tensor of ordered) {
    const end = offset + tensor.data.byteLength;
    parts.push(`${JSON.stringify(tensor.name)}:${JSON.stringify({ dtype: 'F32', shape: tensor.shape, data_offsets: [offset, end] })}`);
    offset = end;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json, 0);
  return { headerBytes, ordered };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Safetensors element types and their conversion to float32.
 *
 * The names and byte sizes follow the safetensors format. Only the floating-point types are converted
 * (F32 as is, F16/BF16 widened exactly, F64 rounded to nearest); integer and 8-bit float tensors are
 * recognised so that a file holding them still parses (real BERT checkpoints carry an I64
 * `position_ids` buffer), but reading one as weights is refused by the caller.
 */

export const DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
} as const;

export type Dtype = keyof typeof DTYPE_BYTES;

/** The dtypes this project can turn into float32 weights. */
export const FLOAT_DTYPES: readonly Dtype[] = ['F32', 'F16', 'BF16', 'F64'];

export function isDtype(name: string): name is Dtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, name);
}

export function isFloatDtype(dtype: Dtype): boolean {
  return FLOAT_DTYPES.includes(dtype);
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts raw little-endian bytes of `dtype` into a new Float32Array.
 * `bytes` must start at an offset that is a multiple of 8 in its buffer (callers read into fresh
 * buffers), so that typed-array views need no copy.
 */
export function toFloat32(dtype: Dtype, bytes: Uint8Array): Float32Array {
  const size = DTYPE_BYTES[dtype];
  const count = bytes.byteLength / size;
  switch (dtype) {
    case 'F32':
      if (littleEndianHost && bytes.byteOffset % 4 === 0) {
        return new Float32Array(bytes.buffer, bytes.byteOffset, count);
      }
      return readWithDataView(bytes, count, (view, i) => view.getFloat32(i * 4, true));
    case 'F16':
      return float16ToFloat32(bytes, count);
    case 'BF16':
      return bfloat16ToFloat32(bytes, count);
    case 'F64':
      if (littleEndianHost && bytes.byteOffset % 8 === 0) {
        return Float32Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, count));
      }
      return readWithDataView(bytes, count, (view, i) => view.getFloat64(i * 8, true));
    default:
      throw new Error(`toFloat32: ${dtype} is not a floating-point dtype`);
  }
}

function readWithDataView(
  bytes: Uint8Array,
  count: number,
  get: (view: DataView, index: number) => number,
): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = get(view, i);
  return out;
}

function uint16View(bytes: Uint8Array, count: number): Uint16Array {
  if (littleEndianHost && bytes.byteOffset % 2 === 0) {
    return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
  }
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
  return out;
}

/** bfloat16 is the top half of a float32: shifting the bits up is exact. */
function bfloat16ToFloat32(bytes: Uint8Array, count: number): Float32Array {
  const halves = uint16View(bytes, count);
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < count; i++) outBits[i] = halves[i]! << 16;
  return out;
}

let float16Table: Float32Array | undefined;

/** All 65,536 float16 values as float32 (256 KiB), built once; a lookup beats bit twiddling per element. */
function float16Lookup(): Float32Array {
  if (float16Table) return float16Table;
  const table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = decodeFloat16(bits);
  float16Table = table;
  return table;
}

/** IEEE 754 binary16 → number, exactly (every float16 value is representable in float32). */
export function decodeFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function float16ToFloat32(bytes: Uint8Array, count: number): Float32Array {
  const halves = uint16View(bytes, count);
  const table = float16Lookup();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!;
  return out;
}

/** float32 data as little-endian bytes, without a copy on little-endian hosts. */
export function float32Bytes(data: Float32Array): Uint8Array {
  if (littleEndianHost) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return out;
}

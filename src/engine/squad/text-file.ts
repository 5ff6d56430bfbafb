import { readFile, stat } from 'node:fs/promises';

import { UserError } from '../errors';

/** 512 MiB: V8 cannot hold a much longer string, and SQuAD-style sets are far smaller (v2.0 train: 42 MB). */
export const DEFAULT_MAX_JSON_BYTES = 512 * 1024 * 1024;

export interface ReadTextOptions {
  /** Refuse files larger than this many bytes (default DEFAULT_MAX_JSON_BYTES). */
  maxBytes?: number;
  /**
   * Take NUL bytes as text (control characters that BERT's tokenizer drops) instead of refusing the
   * file as binary; for a file the user named, not for files found by searching.
   */
  allowNul?: boolean;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Reads a user's UTF-8 text file: a clear UserError when it is missing, a folder, too large, binary
 * (NUL bytes) or not valid UTF-8 (with the byte offset). A leading byte order mark is dropped.
 */
export async function readUserTextFile(path: string, options: ReadTextOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UserError(`${path}: is a folder, not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${path}: no such file`);
    if (code === 'EACCES') throw new UserError(`${path}: permission denied`);
    throw new UserError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (size > maxBytes) {
    throw new UserError(`${path}: the file is ${formatBytes(size)}, more than the limit of ${formatBytes(maxBytes)}; raise the limit to read it`);
  }
  const bytes = await readFile(path);
  return decodeUserText(bytes, path, options);
}

/** Decodes UTF-8 bytes, refusing binary data and invalid UTF-8 with a message naming the byte offset. */
export function decodeUserText(bytes: Uint8Array, sourceName: string, { allowNul = false }: Pick<ReadTextOptions, 'allowNul'> = {}): string {
  const nul = allowNul ? -1 : bytes.indexOf(0);
  if (nul !== -1) throw new UserError(`${sourceName}: looks like a binary file (a NUL byte at byte ${nul}), not UTF-8 text`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UserError(`${sourceName}: not valid UTF-8 text (first bad byte at offset ${firstInvalidUtf8Offset(bytes)})`);
  }
  return text;
}

/** Offset of the first byte that breaks UTF-8 (only called once decoding has failed). */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let length: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return i;
    }
    let codePoint = b & (0xff >> (length + 1));
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += length;
  }
  return bytes.length;
}

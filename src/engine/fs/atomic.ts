/** Writes of user data that never leave a half-written file: temporary sibling, flush, rename. */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors';

/** A name for a temporary sibling of `target`, in the same folder so that the final rename is atomic. */
export function tempSiblingPath(target: string, tag = 'tmp'): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Writes `target` through a temporary file in the same folder: `write` fills the open file, which is
 * then flushed to disk and renamed over `target`. On any failure the temporary file is removed and
 * `target` is left as it was.
 */
export async function writeFileAtomically(
  target: string,
  write: (file: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = tempSiblingPath(target);
  const file = await fs.open(temp, 'wx');
  let closed = false;
  try {
    await write(file);
    await file.sync();
    await file.close();
    closed = true;
    await fs.rename(temp, target);
  } catch (error) {
    if (!closed) await file.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Writes all of `bytes` at the current end of what was written so far (handles short writes). */
export async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<number> {
  let written = 0;
  while (written < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, written, bytes.byteLength - written, position + written);
    if (bytesWritten <= 0) throw new Error(`write made no progress at byte ${position + written}`);
    written += bytesWritten;
  }
  return position + written;
}

/** Writes text or bytes to `target` atomically; a folder that is missing or not writable is a UserError. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    await writeFileAtomically(target, async (file) => {
      await writeFully(file, bytes, 0);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const folder = path.dirname(target);
    if (code === 'ENOENT') throw new UserError(`${target}: cannot write, the folder ${folder} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new UserError(`${target}: cannot write, permission denied`);
    if (code === 'EISDIR') throw new UserError(`${target}: cannot write, it is a folder`);
    throw error;
  }
}

/** Writes of user data that never leave a half-written file: temporary sibling, flush, rename. */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
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
  const temp = await writeTemporary(target, write);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Fills and flushes a new temporary sibling of `target`; returns its path (removed again on failure). */
async function writeTemporary(target: string, write: (file: FileHandle) => Promise<void>): Promise<string> {
  const temp = tempSiblingPath(target);
  const file = await fs.open(temp, 'wx');
  let closed = false;
  try {
    await write(file);
    await file.sync();
    await file.close();
    closed = true;
    return temp;
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
    throw asWriteError(error, target);
  }
}

/**
 * Writes several files so that none appears unless all could be written: each is written and flushed
 * under a temporary name first, and only then are they renamed into place.
 */
export async function writeFilesAtomic(files: readonly (readonly [target: string, data: string | Uint8Array])[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const [target, data] of files) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      temps.push(await writeTemporary(target, async (file) => void (await writeFully(file, bytes, 0))).catch((error) => {
        throw asWriteError(error, target);
      }));
    }
  } catch (error) {
    await Promise.all(temps.map((temp) => fs.rm(temp, { force: true }).catch(() => undefined)));
    throw error;
  }
  for (const [i, [target]] of files.entries()) await fs.rename(temps[i]!, target);
}

/** A missing folder or a refused write as a UserError that names the file; anything else as is. */
function asWriteError(error: unknown, target: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const folder = path.dirname(target);
  if (code === 'ENOENT') return new UserError(`${target}: cannot write, the folder ${folder} does not exist`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`${target}: cannot write, permission denied`, { cause: error });
  if (code === 'EISDIR') return new UserError(`${target}: cannot write, it is a folder`, { cause: error });
  if (code === 'ENOTDIR') return new UserError(`${target}: cannot write, ${folder} is not a folder`, { cause: error });
  return error;
}

/** Flushes a finished temporary file to disk and renames it over `target`. */
export async function syncAndRename(temp: string, target: string): Promise<void> {
  await flushFile(temp);
  await fs.rename(temp, target);
}

/** Copies `from` to `to` through a temporary sibling of `to`, so that `to` is never half a copy. */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  const temp = tempSiblingPath(to);
  try {
    await fs.copyFile(from, temp, constants.COPYFILE_EXCL);
    await syncAndRename(temp, to);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Copies the folder `from` to `to`, which must not exist yet, through a staging sibling of `to`: each
 * file is copied and flushed to disk there, and the folder then appears under its name in one
 * rename, whole or not at all. Links are followed (the copy holds the files themselves).
 */
export async function copyFolderAtomic(from: string, to: string): Promise<void> {
  const staging = tempSiblingPath(to, 'staging');
  try {
    await copyTreeFlushed(from, staging);
    await fs.rename(staging, to);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

async function copyTreeFlushed(from: string, to: string): Promise<void> {
  await fs.mkdir(to);
  for (const name of await fs.readdir(from)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    const stat = await fs.stat(source);
    if (stat.isDirectory()) {
      await copyTreeFlushed(source, target);
    } else if (stat.isFile()) {
      await fs.copyFile(source, target, constants.COPYFILE_EXCL);
      await flushFile(target);
    }
  }
}

async function flushFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A file written piece by piece (a log, a dump) that appears under its name only when complete: the
 * pieces go to a temporary sibling, `commit` flushes it to disk and renames it over the target, and
 * `abort` removes it. Pieces are buffered up to `bufferBytes` (0: each goes to the file at once).
 */
export class AtomicFileWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  /** The writes so far, in order; a failed one makes every later write and the commit fail. */
  private written: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly target: string,
    /** Where the pieces are until `commit`. */
    readonly tempPath: string,
    private readonly file: FileHandle,
    private position: number,
    private readonly bufferBytes: number,
  ) {}

  /**
   * Opens the temporary file. With `keepExisting`, it starts as a copy of the target (when there is
   * one), so that the pieces are appended to what the target held.
   */
  static async open(target: string, options: { keepExisting?: boolean; bufferBytes?: number } = {}): Promise<AtomicFileWriter> {
    const temp = tempSiblingPath(target);
    try {
      let copied = false;
      if (options.keepExisting) {
        copied = await fs.copyFile(target, temp, constants.COPYFILE_EXCL).then(
          () => true,
          (error: NodeJS.ErrnoException) => {
            // No target yet: start empty (a missing folder then fails at open, below).
            if (error.code === 'ENOENT') return false;
            throw error;
          },
        );
      }
      const file = await fs.open(temp, copied ? 'r+' : 'wx');
      const position = copied ? (await file.stat()).size : 0;
      return new AtomicFileWriter(target, temp, file, position, options.bufferBytes ?? 1 << 20);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw asWriteError(error, target);
    }
  }

  /** Adds text; the promise settles once the buffer has room again (callers may ignore it). */
  write(text: string): Promise<void> {
    if (this.closed) throw new Error(`AtomicFileWriter: ${this.target} is already committed or aborted`);
    this.pending.push(text);
    this.pendingBytes += text.length; // characters: close enough for a flush threshold
    return this.pendingBytes >= this.bufferBytes ? this.flush() : Promise.resolve();
  }

  /** Flushes to disk and renames the file over the target. On failure the target is left as it was. */
  async commit(): Promise<void> {
    try {
      await this.flush();
      this.closed = true;
      await this.file.sync();
      await this.file.close();
      await fs.rename(this.tempPath, this.target);
    } catch (error) {
      await this.abort();
      throw asWriteError(error, this.target);
    }
  }

  /** Drops what was written; the target is left as it was. */
  async abort(): Promise<void> {
    this.closed = true;
    await this.written.catch(() => undefined);
    await this.file.close().catch(() => undefined);
    await fs.rm(this.tempPath, { force: true }).catch(() => undefined);
  }

  private flush(): Promise<void> {
    if (this.pending.length === 0) return this.written;
    const bytes = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingBytes = 0;
    this.written = this.written.then(async () => {
      this.position = await writeFully(this.file, bytes, this.position);
    });
    // Marked as handled here: callers may drop the promise; commit() reports the failure.
    this.written.catch(() => undefined);
    return this.written;
  }
}


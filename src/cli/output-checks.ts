/**
 * Checks, before a command does any work, that the files and folders it will write can be written:
 * a command that fails on bad input must fail before it has created anything.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../engine/errors';

async function kindOf(target: string): Promise<'file' | 'folder' | 'other' | undefined> {
  const info = await stat(target).catch(() => undefined);
  if (!info) return undefined;
  return info.isDirectory() ? 'folder' : info.isFile() ? 'file' : 'other';
}

async function checkWritableFolder(flag: string, folder: string): Promise<void> {
  if ((await kindOf(folder)) !== 'folder') throw new UserError(`${flag}: ${folder} is not a folder`);
  await access(folder, constants.W_OK).catch(() => {
    throw new UserError(`${flag}: cannot write into ${folder} (permission denied)`);
  });
}

/** The nearest folder above `target` that exists (where creating the missing ones would start). */
async function nearestExisting(target: string): Promise<string> {
  let current = path.dirname(path.resolve(target));
  while ((await kindOf(current)) === undefined && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

/**
 * A file the command will write: not a folder, and in a folder that exists and is writable, or,
 * with `createFolder`, that can be created there.
 */
export async function checkOutputFile(flag: string, file: string, { createFolder = false } = {}): Promise<void> {
  const kind = await kindOf(file);
  if (kind === 'folder') throw new UserError(`${flag} ${file} is a folder; give a file name`);
  const folder = path.dirname(path.resolve(file));
  if (!createFolder && (await kindOf(folder)) === undefined) throw new UserError(`${flag} ${file}: the folder ${folder} does not exist`);
  await checkWritableFolder(flag, await nearestExisting(file));
}

/** A folder the command will create (or write into): not a file, and creatable where it is missing. */
export async function checkOutputFolder(flag: string, folder: string): Promise<void> {
  const kind = await kindOf(folder);
  if (kind !== undefined && kind !== 'folder') throw new UserError(`${flag} ${folder} is a file, not a folder`);
  await checkWritableFolder(flag, kind === 'folder' ? folder : await nearestExisting(folder));
}

import { lstat, mkdir, readFile, readdir, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

import { UserError } from '../errors';
import { copyFileAtomic, writeFileAtomic } from '../fs/atomic';

/**
 * The Hugging Face cache layout, as Python's huggingface_hub writes it, so that both share files:
 *
 *   <cache>/models--{org}--{name}/blobs/{etag}              file contents, named by git sha1 or LFS sha256
 *   <cache>/models--{org}--{name}/snapshots/{commit}/{path} relative symlinks to the blobs
 *   <cache>/models--{org}--{name}/refs/{revision}           the commit sha a branch or tag pointed to
 */

/** huggingface_hub's repo id rule: optional namespace, then a name; no `--` or `..` anywhere. */
const REPO_ID = /^(?:[\w.-]+\/)?[\w.-]{1,96}$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

export function validateRepoId(repoId: string): void {
  if (!REPO_ID.test(repoId) || repoId.includes('--') || repoId.includes('..') || /(^|\/)[.-]|[.-]($|\/)/.test(repoId)) {
    throw new UserError(
      `'${repoId}' is not a valid Hugging Face model id: expected 'name' or 'organisation/name' (letters, digits, '-', '_', '.'), e.g. distilbert/distilbert-base-cased-distilled-squad`,
    );
  }
}

/** A file path inside a repository: relative, forward slashes, no `..`; anything else could escape the cache. */
export function validateRepoFilePath(path: string): void {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || path.includes('\\') || parts.some((part) => part === '' || part === '.' || part === '..')) {
    throw new UserError(`refusing the repository file name '${path}': it is not a plain relative path`);
  }
}

export function repoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

export function repoStorageDir(cacheDir: string, repoId: string): string {
  return join(cacheDir, repoFolderName(repoId));
}

export function blobPath(storageDir: string, etag: string): string {
  return join(storageDir, 'blobs', etag);
}

export function snapshotDir(storageDir: string, commit: string): string {
  return join(storageDir, 'snapshots', commit);
}

export function snapshotFilePath(storageDir: string, commit: string, repoFile: string): string {
  return join(snapshotDir(storageDir, commit), ...repoFile.split('/'));
}

/** Strips the weak marker and quotes from an ETag, as huggingface_hub does before naming a blob. */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

/** A revision names a folder under refs/ (a branch can contain slashes, e.g. refs/pr/1). */
function refPath(storageDir: string, revision: string): string {
  validateRepoFilePath(revision);
  return join(storageDir, 'refs', ...revision.split('/'));
}

export async function readRef(storageDir: string, revision: string): Promise<string | undefined> {
  try {
    const sha = (await readFile(refPath(storageDir, revision), 'utf8')).trim();
    return COMMIT_SHA.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** Records which commit a branch or tag resolved to (skipped for a commit sha, as Python does). */
export async function writeRef(storageDir: string, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  const path = refPath(storageDir, revision);
  if ((await readRef(storageDir, revision)) === commit) return;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, commit);
}

export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Makes snapshots/{commit}/{file} point at its blob: a relative symlink like Python's cache, or a copy
 * where the file system refuses symlinks (Windows without developer mode, some network drives).
 */
export async function linkSnapshotFile(blob: string, target: string, useSymlinks = true): Promise<'symlink' | 'copy'> {
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { force: true });
  if (useSymlinks) {
    try {
      await symlink(relative(dirname(target), blob), target);
      return 'symlink';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EINVAL') throw error;
    }
  }
  await copyFileAtomic(blob, target);
  return 'copy';
}

/** Whether a snapshot entry is usable: it exists and (through its link) reaches a readable file. */
export async function snapshotFileReady(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Every file under a snapshot folder, as repository paths with forward slashes. */
export async function listSnapshotFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    if (entry.isFile() || (entry.isSymbolicLink() && (await snapshotFileReady(full)))) {
      files.push(relative(dir, full).split(sep).join('/'));
    }
  }
  return files.sort();
}

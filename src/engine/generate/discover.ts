import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
// Loaded through require so that the CommonJS bundle gets tinyglobby's CommonJS build (its ES build
// reads import.meta.url, which a CommonJS bundle does not have).
import tinyglobby = require('tinyglobby');
import { UserError } from '../errors';
import { firstInvalidUtf8Offset } from '../squad/text-file';
import { formatOf } from './formats';
import type { SkippedFile, SourceFile } from './types';

const { glob, isDynamicPattern } = tinyglobby;

/** Folders of build output, dependencies and tool caches: never documentation to learn from. */
export const GENERATED_FOLDERS = [
  'node_modules', '.git', 'dist', 'build', 'out', 'coverage', 'target', 'vendor', '__pycache__', '.venv', 'venv',
  '.tox', '.next', '.nuxt', '.cache', '.vscode-test', 'bin', 'obj', '.idea', '.mypy_cache', '.pytest_cache', 'site-packages',
];
export const DEFAULT_MAX_FILE_SIZE = 1024 * 1024;

export interface DiscoverOptions {
  /** Folder that paths are relative to (the workspace root) and whose .gitignore files apply. */
  cwd: string;
  /** Only files matching one of these globs (relative to cwd) are read. */
  include?: readonly string[];
  /** Files matching one of these globs are skipped. */
  exclude?: readonly string[];
  /** Files larger than this many bytes are skipped (default 1 MiB). */
  maxFileSize?: number;
  /** Respect .gitignore files (default true); a file named explicitly is read all the same. */
  gitignore?: boolean;
}

export interface DiscoveryResult {
  files: SourceFile[];
  skipped: SkippedFile[];
}

const toPosix = (path: string) => path.split(sep).join('/');
const generatedIgnore = GENERATED_FOLDERS.map((folder) => `**/${folder}/**`);

/** The .gitignore rules of every folder under cwd, each applied to paths relative to its own folder. */
async function loadGitignores(cwd: string): Promise<(path: string) => boolean> {
  const files = await glob('**/.gitignore', { cwd, dot: true, ignore: generatedIgnore, followSymbolicLinks: false });
  const rules: { folder: string; matcher: Ignore }[] = [];
  for (const file of files) {
    const text = await readFile(join(cwd, file), 'utf8').catch(() => '');
    rules.push({ folder: toPosix(dirname(file)), matcher: ignore().add(text) });
  }
  return (path) =>
    rules.some(({ folder, matcher }) => {
      if (folder !== '.' && !path.startsWith(`${folder}/`)) return false;
      return matcher.ignores(folder === '.' ? path : path.slice(folder.length + 1));
    });
}

/** Generated folders that a search under `base` left out, reported once each (the outermost). */
async function generatedFoldersUnder(cwd: string, base: string): Promise<string[]> {
  const names = `{${GENERATED_FOLDERS.join(',')}}`;
  const found = await glob(`${base === '.' ? '' : `${base}/`}**/${names}`, {
    cwd,
    dot: true,
    onlyDirectories: true,
    followSymbolicLinks: false,
    ignore: GENERATED_FOLDERS.map((folder) => `**/${folder}/*/**`),
  });
  const folders = found.map((folder) => folder.replace(/\/$/, '')).sort();
  return folders.filter((folder) => !folders.some((other) => other !== folder && folder.startsWith(`${other}/`)));
}

/**
 * Finds the documents named by `patterns` (files, folders or globs, relative to cwd): reads those
 * in a known format, and reports every file left out with the reason (generated folder, .gitignore,
 * --exclude, size, binary, encoding, format).
 */
export async function discoverFiles(patterns: readonly string[], options: DiscoverOptions): Promise<DiscoveryResult> {
  const cwd = resolve(options.cwd);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const isIgnored = options.gitignore === false ? () => false : await loadGitignores(cwd);
  const included = options.include?.length ? picomatch(options.include as string[], { dot: true }) : () => true;
  const excluded = options.exclude?.length ? picomatch(options.exclude as string[], { dot: true }) : () => false;
  const skipped: SkippedFile[] = [];
  const candidates = new Map<string, boolean>(); // relative path → named explicitly

  for (const pattern of patterns) {
    const absolute = isAbsolute(pattern) ? pattern : join(cwd, pattern);
    const relativePattern = toPosix(relative(cwd, absolute)) || '.';
    if (relativePattern.startsWith('../')) throw new UserError(`${pattern}: outside the folder ${cwd}; name files inside it`);
    if (isDynamicPattern(relativePattern)) {
      const found = await glob(relativePattern, { cwd, dot: false, ignore: generatedIgnore, followSymbolicLinks: false });
      if (found.length === 0) skipped.push({ path: pattern, reason: 'matched no file' });
      for (const file of found) if (!candidates.has(file)) candidates.set(file, false);
      continue;
    }
    const info = await stat(absolute).catch(() => undefined);
    if (!info) throw new UserError(`${pattern}: no such file or folder`);
    if (info.isDirectory()) {
      const base = relativePattern;
      const found = await glob(base === '.' ? '**/*' : `${base}/**/*`, { cwd, dot: false, ignore: generatedIgnore, followSymbolicLinks: false });
      for (const file of found) if (!candidates.has(file)) candidates.set(file, false);
      for (const folder of await generatedFoldersUnder(cwd, base)) skipped.push({ path: `${folder}/`, reason: 'generated or dependency folder' });
    } else {
      candidates.set(relativePattern, true);
    }
  }

  const files: SourceFile[] = [];
  for (const [path, explicit] of [...candidates.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const reason = await reasonToSkip(cwd, path, explicit, { isIgnored, included, excluded, maxFileSize });
    if (typeof reason === 'string') skipped.push({ path, reason });
    else files.push({ path, text: reason.text });
  }
  return { files, skipped };
}

interface Filters {
  isIgnored: (path: string) => boolean;
  included: (path: string) => boolean;
  excluded: (path: string) => boolean;
  maxFileSize: number;
}

/** Why a file is not read, or its text when it is. */
async function reasonToSkip(cwd: string, path: string, explicit: boolean, filters: Filters): Promise<string | { text: string }> {
  if (!explicit && filters.isIgnored(path)) return 'ignored by .gitignore';
  if (!filters.included(path)) return 'not matched by --include';
  if (filters.excluded(path)) return 'matched by --exclude';
  if (!formatOf(path)) return 'not a document format that is read';
  const info = await stat(join(cwd, path));
  if (info.size > filters.maxFileSize) return `larger than the limit of ${filters.maxFileSize} bytes (${info.size} bytes)`;
  const bytes = await readFile(join(cwd, path));
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `binary file (a NUL byte at byte ${nul})`;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return `not UTF-8 text (bad byte at offset ${firstInvalidUtf8Offset(bytes)})`;
  }
}

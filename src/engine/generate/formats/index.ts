import type { CodeLanguage, DocumentFormat } from '../types';
import { parseAsciidoc } from './asciidoc';
import type { ParsedDocument } from './blocks';
import { parseHtml } from './html';
import { parseMarkdown } from './markdown';
import { parsePlainText } from './plaintext';
import { parseRst } from './rst';
import { parseSourceComments } from './source-comments';

const BY_EXTENSION: Record<string, DocumentFormat | CodeLanguage> = {
  md: 'markdown', markdown: 'markdown', mdx: 'markdown', mdown: 'markdown', mkd: 'markdown',
  txt: 'text', text: 'text',
  rst: 'rst', rest: 'rst',
  adoc: 'asciidoc', asciidoc: 'asciidoc', asc: 'asciidoc',
  html: 'html', htm: 'html', xhtml: 'html',
  ts: 'js', tsx: 'js', mts: 'js', cts: 'js', js: 'js', jsx: 'js', mjs: 'js', cjs: 'js',
  py: 'python', pyi: 'python',
  java: 'java', go: 'go', rs: 'rust',
  c: 'c', h: 'c', cc: 'c', cpp: 'c', cxx: 'c', hpp: 'c', hh: 'c', hxx: 'c',
  cs: 'csharp',
};
const BY_NAME: Record<string, DocumentFormat> = { readme: 'text', license: 'text', changelog: 'text', authors: 'text', notice: 'text' };
const LANGUAGES = new Set<string>(['js', 'python', 'java', 'go', 'rust', 'c', 'csharp']);

/**
 * Globs of every file `formatOf` reads, one per kind (the extension's default `spantune.include`;
 * a unit test keeps package.json's copy equal to this).
 */
export function documentGlobs(): string[] {
  const byKind = new Map<string, string[]>();
  for (const [extension, kind] of Object.entries(BY_EXTENSION)) byKind.set(kind, [...(byKind.get(kind) ?? []), extension]);
  const globs = [...byKind.values()].map((extensions) => (extensions.length === 1 ? `**/*.${extensions[0]}` : `**/*.{${extensions.join(',')}}`));
  const names = Object.keys(BY_NAME).map((name) => name.toUpperCase());
  return [...globs, `**/{${names.join(',')}}`];
}

/** The format of a file by its name, or undefined when it is not a kind of document that is read. */
export function formatOf(path: string): { format: DocumentFormat; language?: CodeLanguage } | undefined {
  const name = path.split(/[\\/]/).pop()!.toLowerCase();
  if (name.endsWith('.d.ts') || /\.min\.(js|css)$/.test(name)) return undefined;
  const dot = name.lastIndexOf('.');
  const kind = dot > 0 ? BY_EXTENSION[name.slice(dot + 1)] : BY_NAME[name];
  if (kind === undefined) return undefined;
  return LANGUAGES.has(kind) ? { format: 'code', language: kind as CodeLanguage } : { format: kind as DocumentFormat };
}

/** Parses a document into blocks and its markup-free plain text (same length as `text`). */
export function parseDocument(path: string, text: string): ParsedDocument | undefined {
  const kind = formatOf(path);
  if (!kind) return undefined;
  switch (kind.format) {
    case 'markdown':
      return parseMarkdown(text);
    case 'text':
      return parsePlainText(text);
    case 'rst':
      return parseRst(text);
    case 'asciidoc':
      return parseAsciidoc(text);
    case 'html':
      return parseHtml(text);
    case 'code':
      return parseSourceComments(text, kind.language!);
  }
}

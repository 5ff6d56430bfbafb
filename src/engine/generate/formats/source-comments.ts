import type { CodeLanguage } from '../types';
import { Mask, splitLines, type Barrier, type Block, type ParsedDocument } from './blocks';

interface Comment {
  /** Range of the whole comment or docstring token, markers included. */
  start: number;
  end: number;
  kind: 'line' | 'block' | 'docstring';
}

/**
 * Finds the comments (and Python docstrings) of a source file with a small lexer that knows the
 * language's strings, so that `//` or `#` inside a string is not taken for a comment.
 */
export function lexComments(text: string, language: CodeLanguage): Comment[] {
  const comments: Comment[] = [];
  const python = language === 'python';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (python && c === '#') {
      const end = lineEnd(text, i);
      comments.push({ start: i, end, kind: 'line' });
      i = end;
    } else if (!python && c === '/' && next === '/') {
      const end = lineEnd(text, i);
      comments.push({ start: i, end, kind: 'line' });
      i = end;
    } else if (!python && c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      comments.push({ start: i, end, kind: 'block' });
      i = end;
    } else if (python && (c === '"' || c === "'") && text.startsWith(c.repeat(3), i)) {
      const close = findClose(text, i + 3, c.repeat(3));
      if (atStatementStart(text, i)) comments.push({ start: i, end: close, kind: 'docstring' });
      i = close;
    } else if (c === '"' || (c === "'" && (python || language === 'js'))) {
      i = findClose(text, i + 1, c, true);
    } else if (c === "'") {
      // A char literal in C-like languages; otherwise (a Rust lifetime) just the quote.
      const literal = /^'(?:\\.[^']{0,8}|[^\\'\n])'/.exec(text.slice(i, i + 12));
      i += literal ? literal[0].length : 1;
    } else if (c === '`' && (language === 'js' || language === 'go')) {
      i = findClose(text, i + 1, '`');
    } else {
      i++;
    }
  }
  return comments;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** Index after the closing delimiter (backslash escapes honoured); a single-line string stops at the line's end. */
function findClose(text: string, from: number, delimiter: string, singleLine = false): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (singleLine && c === '\n') {
      return i;
    } else if (text.startsWith(delimiter, i)) {
      return i + delimiter.length;
    }
  }
  return text.length;
}

/** A string that begins its line (after indentation and an optional r/u/b/f prefix) is a statement of its own. */
function atStatementStart(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  return /^\s*[rRuUbBfF]?$/.test(text.slice(lineStart, index));
}

const DIRECTIVE = /^\s*(?:eslint|@ts-|prettier-ignore|istanbul|c8 |tslint|jshint|global |-\*-|type:\s*ignore|noqa|pylint|pragma|region|endregion|#region|nolint|go:|\+build|NOLINT|clang-format|@flow|<reference|!)/i;
const LICENSE = /\b(copyright|licensed under|spdx-license|all rights reserved|permission is hereby granted)\b/i;

/** Line starts of comment markup: `//`, `///`, `//!`, `#`, ` * `, the delimiters of a block comment. */
function blankCommentMarkers(mask: Mask, text: string, comment: Comment): void {
  const { start, end } = comment;
  if (comment.kind === 'docstring') {
    const open = /^[rRuUbBfF]?("""|''')/.exec(text.slice(start, start + 4))!;
    mask.blank(start, start + open[0].length);
    mask.blank(Math.max(start + open[0].length, end - 3), end);
    return;
  }
  if (comment.kind === 'block') {
    const open = /^\/\*+!?/.exec(text.slice(start, end))![0].length;
    mask.blank(start, start + open);
    const close = /\**\*\/$/.exec(text.slice(start, end));
    if (close) mask.blank(end - close[0].length, end);
    mask.blankMatches(text, start, end, /(?<=\n)[ \t]*\*(?!\/)[ \t]?/g);
    return;
  }
  mask.blankMatches(text, start, end, /^(?:\/\/[/!]?|#+)/g);
}

/** Most lines look like code (end in ; { } or start with a keyword): commented-out code, not prose. */
function looksLikeCode(plain: string): boolean {
  const lines = plain.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  if (lines.length === 0) return true;
  const code = lines.filter(
    (line) => /[;{}]$|^[{}]|=>|^(import|from|return|const|let|var|if|for|while|def|class|public|private|func|fn|#include)\b|^\w+\(.*\)$/.test(line),
  );
  return code.length * 2 > lines.length;
}

const DECLARATION = [
  /\b(?:function\*?|def|fn|func|class|interface|struct|enum|trait|type|record|namespace|module|macro_rules!)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)/,
  /\b([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]*)?=>|[A-Za-z_$][\w$]*\s*=>)/,
];
const NOT_A_NAME = new Set(['if', 'for', 'while', 'switch', 'return', 'new', 'catch', 'function', 'typeof', 'await', 'sizeof', 'super', 'this']);

/** The name declared by a line of code: a function, method, class or type. */
export function declaredName(line: string): string | undefined {
  for (const pattern of DECLARATION) {
    const found = pattern.exec(line);
    if (found && !NOT_A_NAME.has(found[1]!)) return found[1];
  }
  const call = /([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\(/.exec(line);
  if (call && !NOT_A_NAME.has(call[1]!)) return call[1];
  return undefined;
}

/** What a comment documents: the declaration after it (a Python docstring: the one before it). */
function documentedSymbol(text: string, comment: Comment): string | undefined {
  if (comment.kind === 'docstring') {
    const before = splitLines(text.slice(Math.max(0, comment.start - 2000), comment.start)).reverse();
    for (const line of before.slice(0, 12)) {
      const found = /^\s*(?:async\s+)?(?:def|class)\s+(\w+)/.exec(line.text);
      if (found) return found[1];
      if (/^\S/.test(line.text) && !/^\s*$/.test(line.text) && !/[,(]\s*$|^\)/.test(line.text)) break;
    }
    return undefined;
  }
  const after = splitLines(text.slice(comment.end, comment.end + 2000));
  for (const line of after.slice(0, 8)) {
    const code = line.text.trim();
    if (code === '' || /^(@|#\[|\[)/.test(code) || code.startsWith('//')) continue;
    return declaredName(code);
  }
  return undefined;
}

/** Source files: each comment block (runs of line comments, block comments, docstrings) is a block between barriers. */
export function parseSourceComments(text: string, language: CodeLanguage): ParsedDocument {
  const mask = new Mask(text);
  const comments = lexComments(text, language);
  const groups = groupLineComments(text, comments);
  const blocks: (Block | Barrier)[] = [];
  const isComment = new Uint8Array(text.length);
  for (const group of groups) {
    for (const comment of group) {
      blankCommentMarkers(mask, text, comment);
      isComment.fill(1, comment.start, comment.end);
    }
  }
  // Everything that is not a comment is code: blank it.
  let codeStart = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || isComment[i]) {
      if (codeStart < i) mask.blank(codeStart, i);
      codeStart = i + 1;
    }
  }
  const plain = mask.toString();
  for (const group of groups) {
    const first = group[0]!;
    const last = group.at(-1)!;
    let start = first.start;
    let end = last.end;
    while (start < end && /\s/.test(plain[start]!)) start++;
    while (end > start && /\s/.test(plain[end - 1]!)) end--;
    const prose = plain.slice(start, end);
    blocks.push({ kind: 'barrier' });
    if (prose.split(/\s+/).length < 3 || DIRECTIVE.test(prose) || LICENSE.test(prose) || looksLikeCode(prose)) continue;
    const symbol = documentedSymbol(text, last);
    blocks.push({ kind: 'comment', start, end, ...(symbol ? { symbol } : {}) });
  }
  return { format: 'code', language, plain, blocks };
}

/** Line comments alone on consecutive lines form one block; other comments stand alone. */
function groupLineComments(text: string, comments: Comment[]): Comment[][] {
  const groups: Comment[][] = [];
  for (const comment of comments) {
    const lineStart = text.lastIndexOf('\n', comment.start - 1) + 1;
    const alone = text.slice(lineStart, comment.start).trim() === '';
    if (!alone) continue;
    const previous = groups.at(-1)?.at(-1);
    const adjacent =
      previous !== undefined &&
      comment.kind === 'line' &&
      previous.kind === 'line' &&
      /^[ \t]*\r?\n[ \t]*$/.test(text.slice(previous.end, comment.start));
    if (adjacent) groups.at(-1)!.push(comment);
    else groups.push([comment]);
  }
  return groups;
}

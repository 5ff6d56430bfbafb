/**
 * Reading the workspace dataset file: JSON syntax and SQuAD shape are checked, and every problem is
 * reported with its line and column so the user can fix the file (which SpanTune then never
 * overwrites until it parses again).
 */
import { findNodeAtLocation, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser/lib/esm/main.js';
import { UserError } from '../../engine/errors';
import type { SquadDataset } from '../../engine/squad/types';

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

type PathSegment = string | number;

function describe(path: PathSegment[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}

/** Parses and checks a SQuAD v1.1/v2.0 file; throws UserError "<file>:<line>:<col>: <reason>". */
export function parseDatasetText(text: string, fileLabel: string): SquadDataset {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree) {
    const first = errors[0];
    const where = lineAndColumn(text, first?.offset ?? 0);
    const reason = first ? printParseErrorCode(first.error) : 'empty file';
    throw new UserError(`${fileLabel}:${where.line}:${where.column}: invalid JSON (${reason})`);
  }
  const fail = (path: PathSegment[], reason: string): never => {
    const node = findNodeAtLocation(tree, path) ?? tree;
    const where = lineAndColumn(text, node.offset);
    throw new UserError(`${fileLabel}:${where.line}:${where.column}: ${describe(path)} ${reason}`);
  };
  const value = JSON.parse(text) as unknown;
  checkShape(value, fail);
  return value as SquadDataset;
}

type Fail = (path: PathSegment[], reason: string) => never;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkShape(value: unknown, fail: Fail): void {
  if (!isObject(value)) fail([], 'must be an object with a "data" array');
  const root = value as Record<string, unknown>;
  if (!Array.isArray(root.data)) fail(['data'], 'must be an array of articles');
  (root.data as unknown[]).forEach((article, a) => {
    if (!isObject(article)) fail(['data', a], 'must be an object');
    const paragraphs = (article as Record<string, unknown>).paragraphs;
    if (!Array.isArray(paragraphs)) fail(['data', a, 'paragraphs'], 'must be an array');
    (paragraphs as unknown[]).forEach((paragraph, p) => {
      const at: PathSegment[] = ['data', a, 'paragraphs', p];
      if (!isObject(paragraph)) fail(at, 'must be an object');
      const par = paragraph as Record<string, unknown>;
      if (typeof par.context !== 'string') fail([...at, 'context'], 'must be a string');
      if (!Array.isArray(par.qas)) fail([...at, 'qas'], 'must be an array');
      (par.qas as unknown[]).forEach((qa, q) => checkQuestion(qa, [...at, 'qas', q], par.context as string, fail));
    });
  });
}

function checkQuestion(qa: unknown, at: PathSegment[], context: string, fail: Fail): void {
  if (!isObject(qa)) fail(at, 'must be an object');
  const q = qa as Record<string, unknown>;
  if (typeof q.id !== 'string' || q.id === '') fail([...at, 'id'], 'must be a non-empty string');
  if (typeof q.question !== 'string') fail([...at, 'question'], 'must be a string');
  if (!Array.isArray(q.answers)) fail([...at, 'answers'], 'must be an array');
  if (q.is_impossible !== undefined && typeof q.is_impossible !== 'boolean') fail([...at, 'is_impossible'], 'must be true or false');
  (q.answers as unknown[]).forEach((answer, i) => {
    const path = [...at, 'answers', i];
    if (!isObject(answer)) fail(path, 'must be an object');
    const ans = answer as Record<string, unknown>;
    if (typeof ans.text !== 'string') fail([...path, 'text'], 'must be a string');
    const start = ans.answer_start;
    if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
      fail([...path, 'answer_start'], 'must be a non-negative integer');
    }
    if ((start as number) + (ans.text as string).length > context.length) {
      fail([...path, 'answer_start'], `points past the end of its context (${context.length} characters)`);
    }
  });
}


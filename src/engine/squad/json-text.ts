import { UserError } from '../errors';

/** Where a JSON syntax error sits: 1-based line and column (in UTF-16 units) and what is wrong. */
export interface JsonSyntaxError {
  offset: number;
  line: number;
  column: number;
  message: string;
}

/**
 * Parses JSON; on a syntax error throws a UserError that names the file, line and column. V8's own
 * messages often carry no position at all, so the position is found by a second, strict scan.
 */
export function parseJsonText(text: string, sourceName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const found = findJsonSyntaxError(text);
    if (found) {
      throw new UserError(`${sourceName}: not valid JSON at line ${found.line}, column ${found.column}: ${found.message}`);
    }
    throw new UserError(`${sourceName}: not valid JSON: ${(error as Error).message}`);
  }
}

/** Line and column (1-based) of a UTF-16 offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Thrown inside the scanner only; carries the offset of the problem. */
class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * Strict RFC 8259 scanner that only locates the first syntax error (null when the text is valid).
 * Iterative (an explicit stack), so deeply nested input cannot overflow the call stack.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  try {
    scanJson(text);
    return null;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const { line, column } = lineAndColumn(text, error.offset);
    return { offset: error.offset, line, column, message: error.message };
  }
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the text ends too early';
  return `unexpected ${JSON.stringify(String.fromCodePoint(text.codePointAt(at)!))}`;
}

function scanJson(text: string): void {
  let at = 0;
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
  };
  const scanString = () => {
    at++; // opening quote
    for (;;) {
      if (at >= text.length) throw new ScanError(at, 'unterminated string');
      const ch = text.charCodeAt(at);
      if (ch === 0x22) {
        at++;
        return;
      }
      if (ch < 0x20) throw new ScanError(at, 'control character inside a string (escape it)');
      if (ch === 0x5c) {
        const next = text[at + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) throw new ScanError(at, 'bad \\u escape');
          at += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          at += 2;
        } else {
          throw new ScanError(at, 'bad escape in string');
        }
      } else {
        at++;
      }
    }
  };
  const scanNumber = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) throw new ScanError(at, `${describe(text, at)} (a value was expected)`);
    at += match[0].length;
  };
  /** Scans one scalar or opens a container; returns the container kind opened, if any. */
  const scanValueStart = (): '{' | '[' | null => {
    skipWhitespace();
    const ch = text[at];
    if (ch === '{' || ch === '[') {
      at++;
      return ch;
    }
    if (ch === '"') scanString();
    else if (text.startsWith('true', at)) at += 4;
    else if (text.startsWith('false', at)) at += 5;
    else if (text.startsWith('null', at)) at += 4;
    else scanNumber();
    return null;
  };
  const expectKey = () => {
    skipWhitespace();
    if (text[at] !== '"') throw new ScanError(at, `${describe(text, at)} (a quoted property name was expected)`);
    scanString();
    skipWhitespace();
    if (text[at] !== ':') throw new ScanError(at, `${describe(text, at)} (':' was expected after the property name)`);
    at++;
  };

  const stack: ('{' | '[')[] = [];
  let opened = scanValueStart();
  for (;;) {
    if (opened) {
      stack.push(opened);
      skipWhitespace();
      const close = opened === '{' ? '}' : ']';
      if (text[at] === close) {
        at++;
        stack.pop();
      } else {
        if (opened === '{') expectKey();
        opened = scanValueStart();
        continue;
      }
    }
    // A value just ended: a separator, a closer, or the end of the text follows.
    const top = stack[stack.length - 1];
    skipWhitespace();
    if (top === undefined) {
      if (at < text.length) throw new ScanError(at, `${describe(text, at)} after the end of the JSON value`);
      return;
    }
    const close = top === '{' ? '}' : ']';
    if (text[at] === ',') {
      at++;
      skipWhitespace();
      if (text[at] === close) throw new ScanError(at, `trailing comma before '${close}'`);
      if (top === '{') expectKey();
      opened = scanValueStart();
      continue;
    }
    if (text[at] === close) {
      at++;
      stack.pop();
      opened = null;
      continue;
    }
    throw new ScanError(at, `${describe(text, at)} (',' or '${close}' was expected)`);
  }
}

/** A JSON number as Python's json module reads it: an int when the literal has no fraction or exponent. */
export interface OrderedNumber {
  value: number;
  isInteger: boolean;
}

/**
 * Reads a flat JSON object of numbers keeping the keys in FILE order, as Python's json.load does
 * (JSON.parse moves integer-like keys first). A repeated key keeps its first place and its last value.
 * The text must already be valid JSON (call parseJsonText first).
 */
export function readOrderedNumberObject(text: string, sourceName: string): Map<string, OrderedNumber> {
  const parsed = parseJsonText(text, sourceName);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(`${sourceName}: expected a JSON object mapping question ids to numbers`);
  }
  const result = new Map<string, OrderedNumber>();
  let at = text.indexOf('{') + 1;
  const skipWhitespace = () => {
    while (at < text.length && WHITESPACE.has(text[at]!)) at++;
  };
  for (;;) {
    skipWhitespace();
    if (text[at] === '}') break;
    if (text[at] === ',') {
      at++;
      skipWhitespace();
    }
    const keyStart = at;
    at++;
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    const key = JSON.parse(text.slice(keyStart, at)) as string;
    skipWhitespace();
    at++; // ':'
    skipWhitespace();
    const literal = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!literal) {
      const { line, column } = lineAndColumn(text, at);
      throw new UserError(`${sourceName}: the value of ${JSON.stringify(key)} (line ${line}, column ${column}) must be a number`);
    }
    at += literal[0].length;
    result.set(key, { value: Number(literal[0]), isInteger: !/[.eE]/.test(literal[0]) });
  }
  return result;
}

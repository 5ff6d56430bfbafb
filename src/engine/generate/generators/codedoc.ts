import { finishQuestion } from '../question';
import { trimRange, type Candidate, type Generator, type PassageContext } from './context';

/** A documented fact about a function: what it is about, and the file range that states it. */
interface DocFact {
  kind: 'param' | 'param-type' | 'default' | 'returns' | 'return-type' | 'throws' | 'panics';
  name?: string;
  start: number;
  end: number;
}

interface DocLine {
  text: string;
  /** File offset of text[0]. */
  start: number;
  indent: number;
}

const JSDOC_PARAM = /^@(?:param|arg|argument)\s+(?:\{([^}]+)\}\s*)?(\[?[\w$.]+(?:=[^\]]*)?\]?)\s*(?:-\s+)?(.*)$/;
const JSDOC_RETURNS = /^@returns?\s+(?:\{([^}]+)\}\s*)?(?:-\s+)?(.*)$/;
const JSDOC_THROWS = /^@(?:throws|exception)\s+(?:\{([^}]+)\}\s*|([A-Z][\w$.]*)\s+)?(?:-\s+)?(.*)$/;
const REST_PARAM = /^:param\s+(?:([\w.[\], ]+?)\s+)?(\w+):\s*(.*)$/;
const REST_TYPE = /^:type\s+(\w+):\s*(.*)$/;
const REST_RETURNS = /^:returns?:\s*(.*)$/;
const REST_RTYPE = /^:rtype:\s*(.*)$/;
const REST_RAISES = /^:raises?\s+([\w.]+):\s*(.*)$/;
const SECTION = /^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments|Returns|Return|Yields|Raises|Throws|Errors|Panics|# Arguments|# Parameters|# Returns|# Errors|# Panics)\s*:?\s*$/;
const GOOGLE_PARAM = /^\*{0,2}(\w+)\s*(?:\(([^)]+)\))?\s*:\s*(.*)$/;
const NUMPY_PARAM = /^(\w+)\s*:\s*(.+)$/;
const RUST_PARAM = /^[*-]\s+`(\w+)`\s*(?:-|:)\s*(.*)$/;
const RAISES_ENTRY = /^([A-Z][\w.]*)\s*:\s*(.*)$/;
const CSHARP = /<(param|exception)\s+(?:name|cref)="([^"]+)"\s*>([^<]*)<\/\1>|<returns>([^<]*)<\/returns>/g;
const DEFAULT = /\b(?:[Dd]efaults?\s+(?:to|is)|[Dd]efault\s+value\s+is|[Dd]efault:)\s*`?([^`\s,;)]+(?:\.\d+)?)`?|\(default:?\s*`?([^`)]+?)`?\)/;

/** Lines of a comment block's plain text with their file offsets and indentation. */
function docLines(context: PassageContext, start: number, end: number): DocLine[] {
  const lines: DocLine[] = [];
  let offset = start;
  for (const raw of context.plain(start, end).split('\n')) {
    const indent = raw.length - raw.trimStart().length;
    lines.push({ text: raw.trim(), start: offset + indent, indent });
    offset += raw.length + 1;
  }
  return lines;
}

/** The range of `part` inside a line (found after `from` characters), trimmed and clean, or undefined. */
function rangeOf(context: PassageContext, line: DocLine, part: string | undefined, from = 0): { start: number; end: number } | undefined {
  if (!part || part.trim() === '') return undefined;
  const at = line.text.indexOf(part, from);
  if (at < 0) return undefined;
  const range = trimRange(context, line.start + at, line.start + at + part.length);
  // A description ends with its first sentence.
  const text = context.plain(range.start, range.end);
  const stop = /[.!?](\s|$)/.exec(text);
  if (stop && stop.index > 0) range.end = range.start + stop.index;
  return range.end > range.start && context.isClean(range.start, range.end) ? range : undefined;
}

function defaultIn(context: PassageContext, line: DocLine, name: string, description: string | undefined): DocFact | undefined {
  if (!description) return undefined;
  const found = DEFAULT.exec(description);
  const value = found?.[1] ?? found?.[2];
  const range = rangeOf(context, line, value, line.text.indexOf(description));
  return range ? { kind: 'default', name, ...range } : undefined;
}

function factAt(kind: DocFact['kind'], range: { start: number; end: number } | undefined, name?: string): DocFact | undefined {
  return range ? { kind, ...range, ...(name !== undefined ? { name } : {}) } : undefined;
}

/** Reads JSDoc/Javadoc tags, reST fields, Google and NumPy sections, Rust doc sections and C# XML docs. */
export function readDocFacts(context: PassageContext, start: number, end: number): DocFact[] {
  const facts: DocFact[] = [];
  const push = (fact: DocFact | undefined) => fact && facts.push(fact);
  const lines = docLines(context, start, end);
  let section: string | undefined;
  let sectionIndent = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const text = line.text;
    if (text === '') continue;
    let match: RegExpExecArray | null;
    if ((match = JSDOC_PARAM.exec(text))) {
      const name = match[2]!.replace(/^\[|\]$/g, '').split('=')[0]!;
      const bracketDefault = /=([^\]]+)\]$/.exec(match[2]!);
      // "{string=}" marks an optional parameter: the type is what stands before the "=".
      push(factAt('param-type', rangeOf(context, line, match[1]?.replace(/=$/, '')), name));
      if (bracketDefault) push(factAt('default', rangeOf(context, line, bracketDefault[1], text.indexOf('[')), name));
      push(factAt('param', rangeOf(context, line, match[3], match[0].length - match[3]!.length), name));
      push(defaultIn(context, line, name, match[3]));
      section = undefined;
    } else if ((match = JSDOC_RETURNS.exec(text))) {
      push(factAt('return-type', rangeOf(context, line, match[1])));
      push(factAt('returns', rangeOf(context, line, match[2], match[0].length - match[2]!.length)));
      section = undefined;
    } else if ((match = JSDOC_THROWS.exec(text))) {
      const type = match[1] ?? match[2];
      const description = rangeOf(context, line, match[3], match[0].length - match[3]!.length);
      if (type && description) push({ kind: 'throws', name: type, ...description });
      section = undefined;
    } else if ((match = REST_PARAM.exec(text))) {
      const name = match[2]!;
      push(factAt('param-type', rangeOf(context, line, match[1]), name));
      push(factAt('param', rangeOf(context, line, match[3], match[0].length - match[3]!.length), name));
      push(defaultIn(context, line, name, match[3]));
    } else if ((match = REST_TYPE.exec(text))) {
      push(factAt('param-type', rangeOf(context, line, match[2], match[0].length - match[2]!.length), match[1]!));
    } else if ((match = REST_RETURNS.exec(text))) {
      push(factAt('returns', rangeOf(context, line, match[1], match[0].length - match[1]!.length)));
    } else if ((match = REST_RTYPE.exec(text))) {
      push(factAt('return-type', rangeOf(context, line, match[1], match[0].length - match[1]!.length)));
    } else if ((match = REST_RAISES.exec(text))) {
      push(factAt('throws', rangeOf(context, line, match[2], match[0].length - match[2]!.length), match[1]!));
    } else if ((match = SECTION.exec(text)) || (/^(Parameters|Returns|Raises|Yields)$/.test(text) && /^-{3,}$/.test(lines[i + 1]?.text ?? ''))) {
      section = (match?.[1] ?? text).replace(/^# /, '').toLowerCase();
      sectionIndent = line.indent;
      if (/^-{3,}$/.test(lines[i + 1]?.text ?? '')) i++;
    } else if (section !== undefined) {
      if (line.indent < sectionIndent || (line.indent === sectionIndent && !/^[*-]\s|^\w+\s*:/.test(text) && section !== 'errors' && section !== 'panics')) {
        section = undefined;
        continue;
      }
      const fact = readSectionLine(context, section, line, lines[i + 1]);
      for (const one of fact) facts.push(one);
      if (section === 'returns' || section === 'return' || section === 'yields' || section === 'errors' || section === 'panics') section = undefined;
    }
  }
  for (const match of context.plain(start, end).matchAll(CSHARP)) {
    const line: DocLine = { text: match[0], start: start + match.index, indent: 0 };
    if (match[1] === 'param') push(factAt('param', rangeOf(context, line, match[3]), match[2]!));
    else if (match[1] === 'exception') push(factAt('throws', rangeOf(context, line, match[3]), match[2]!.replace(/^T:/, '')));
    else push(factAt('returns', rangeOf(context, line, match[4], match[0].indexOf('>') + 1)));
  }
  return facts;
}

/** One entry of a Google, NumPy or Rust doc section. */
function readSectionLine(context: PassageContext, section: string, line: DocLine, next: DocLine | undefined): DocFact[] {
  const text = line.text;
  const facts: DocFact[] = [];
  const descriptionAfter = (part: string) => rangeOf(context, line, part, text.length - part.length);
  if (/^(args|arguments|parameters|params|keyword args|keyword arguments)$/.test(section)) {
    const rust = RUST_PARAM.exec(text);
    const google = rust ? null : GOOGLE_PARAM.exec(text);
    const numpy = rust || google ? null : NUMPY_PARAM.exec(text);
    if (rust) {
      const description = descriptionAfter(rust[2]!);
      if (description) facts.push({ kind: 'param', name: rust[1]!, ...description });
    } else if (google && google[3]) {
      const description = descriptionAfter(google[3]);
      if (description) facts.push({ kind: 'param', name: google[1]!, ...description });
      const type = rangeOf(context, line, google[2]);
      if (type) facts.push({ kind: 'param-type', name: google[1]!, ...type });
      const fallback = defaultIn(context, line, google[1]!, google[3]);
      if (fallback) facts.push(fallback);
    } else if (numpy || (google && !google[3])) {
      const name = (numpy ?? google)![1]!;
      const typeText = numpy ? numpy[2]!.split(',')[0]! : google![2];
      const type = rangeOf(context, line, typeText);
      if (type) facts.push({ kind: 'param-type', name, ...type });
      if (next && next.indent > line.indent) {
        const description = rangeOf(context, next, next.text);
        if (description) facts.push({ kind: 'param', name, ...description });
      }
    }
  } else if (section === 'returns' || section === 'return' || section === 'yields') {
    const typed = /^([\w.[\], |]+):\s+(.+)$/.exec(text);
    const description = descriptionAfter(typed ? typed[2]! : text);
    if (description) facts.push({ kind: 'returns', ...description });
  } else if (section === 'raises' || section === 'throws') {
    const entry = RAISES_ENTRY.exec(text);
    if (entry) {
      const description = descriptionAfter(entry[2]!);
      if (description) facts.push({ kind: 'throws', name: entry[1]!, ...description });
    }
  } else if (section === 'errors' || section === 'panics') {
    const description = descriptionAfter(text);
    if (description) facts.push({ kind: section === 'panics' ? 'panics' : 'returns', ...description });
  }
  return facts;
}

function questionFor(fact: DocFact, symbol: string | undefined, python: boolean): { question: string; confidence: number } | undefined {
  const of = symbol ? ` of ${symbol}` : '';
  const subject = symbol ?? 'the function';
  const known = symbol ? 0 : -0.25;
  switch (fact.kind) {
    case 'param':
      return { question: `What is the ${fact.name} parameter${of}`, confidence: 0.6 + known };
    case 'param-type':
      return { question: `What type is the ${fact.name} parameter${of}`, confidence: 0.65 + known };
    case 'default':
      return { question: `What is the default value of the ${fact.name} parameter${of}`, confidence: 0.7 + known };
    case 'returns':
      return { question: `What does ${subject} return`, confidence: 0.65 + known };
    case 'return-type':
      return { question: `What type does ${subject} return`, confidence: 0.6 + known };
    case 'throws':
      return { question: `When does ${subject} ${python ? 'raise' : 'throw'} ${fact.name}`, confidence: 0.6 + known };
    case 'panics':
      return { question: `When does ${subject} panic`, confidence: 0.6 + known };
  }
}

/** Questions about parameters, types, defaults, return values and exceptions from doc comments. */
export const codeDocGenerator: Generator = {
  name: 'codedoc',
  generate(context) {
    const candidates: Candidate[] = [];
    const python = context.passage.language === 'python';
    for (const block of context.passage.blocks) {
      if (block.kind !== 'comment') continue;
      for (const fact of readDocFacts(context, block.start, block.end)) {
        const asked = questionFor(fact, block.symbol, python);
        if (asked) candidates.push({ question: finishQuestion([asked.question]), start: fact.start, end: fact.end, confidence: asked.confidence });
      }
    }
    return candidates;
  },
};

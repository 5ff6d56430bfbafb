import { finishQuestion } from '../question';
import { isGenericHeading } from './heading';
import { trimRange, type Candidate, type Generator, type PassageContext } from './context';

const KEY_VALUE = /^([\p{L}][\p{L}\d .()/'-]{0,40}?)\s*(?::|=)\s+(\S.*)$/u;
/** Labels that introduce prose rather than name a property. */
const NOT_A_KEY = new Set(
  'note notes warning caution tip important example examples e.g i.e see todo fixme hint info abstract text background methods method results conclusion conclusions findings objective objectives purpose aim aims summary introduction discussion question answer q a source sources step usage http https for and or but so because however therefore'.split(' '),
);
const PERSON_KEY = /^(authors?|maintainers?|owners?|contacts?|creators?|editors?|developers?|contributors?)$/i;
const MAX_VALUE_WORDS = 10;

/** "Key: value" lines (metadata, field lists, attribute entries) → "What is the key of <section>?". */
export const keyValueGenerator: Generator = {
  name: 'keyvalue',
  generate(context) {
    const candidates: Candidate[] = [];
    // Doc comments have their own reader (codedoc); "Args:" there is not a property.
    if (context.passage.format === 'code') return candidates;
    const subject = [...context.passage.headings].reverse().find((heading) => !isGenericHeading(heading));
    for (const block of context.proseBlocks) {
      let lineStart = block.start;
      for (const line of context.plain(block.start, block.end).split('\n')) {
        const candidate = fromLine(context, line, lineStart, subject);
        if (candidate) candidates.push(candidate);
        lineStart += line.length + 1;
      }
    }
    return candidates;
  },
};

function fromLine(context: PassageContext, line: string, lineStart: number, subject: string | undefined): Candidate | undefined {
  const indent = line.length - line.trimStart().length;
  const match = KEY_VALUE.exec(line.trim());
  if (!match) return undefined;
  const key = match[1]!.trim();
  const value = match[2]!;
  const keyWords = key.split(/\s+/);
  if (keyWords.length > 4 || NOT_A_KEY.has(key.toLowerCase()) || value.split(/\s+/).length > MAX_VALUE_WORDS) return undefined;
  // "Applies to: ..." names no property: a key that starts with a verb reads badly as "the applies to of".
  if (keyWords.length > 1 && /^\p{L}+s$/u.test(keyWords[0]!) && /^(to|on|in|for|with|by|from|at|of)$/i.test(keyWords.at(-1)!)) return undefined;
  // An all-capitals label ("METHODS AND FINDINGS:") heads a paragraph; it is not a property.
  if (key.length > 3 && key === key.toUpperCase() && keyWords.length > 1) return undefined;
  if (/[.!?]\s+\p{Lu}/u.test(value)) return undefined;
  const valueStart = lineStart + indent + match[0].length - value.length;
  const range = trimRange(context, valueStart, lineStart + line.length);
  if (range.end <= range.start || !context.isClean(range.start, range.end)) return undefined;
  const label = context.casing.label(key);
  const plural = /[^s]s$/.test(key) || PERSON_KEY.test(key) && key.endsWith('s');
  const wh = PERSON_KEY.test(key) ? 'Who' : 'What';
  const of = subject && subject.toLowerCase() !== key.toLowerCase() ? `of ${subject}` : undefined;
  return { question: finishQuestion([wh, plural ? 'are the' : 'is the', label, of]), ...range, confidence: of ? 0.6 : 0.45 };
}

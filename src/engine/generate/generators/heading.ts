import { isCapitalisedWord } from '../casing';
import { collapse } from '../formats/blocks';
import { infinitiveOf } from '../nlp';
import { finishQuestion, readsAsQuestion } from '../question';
import { trimRange, type Candidate, type Generator, type PassageContext } from './context';

/** Section names that say where a text is, not what it is about. */
const GENERIC = new Set(
  'abstract introduction overview summary background methods method materials results discussion conclusion conclusions references bibliography acknowledgements acknowledgments appendix contents index notes note usage examples example installation install setup license licence contributing changelog faq features requirements prerequisites getting started table of contents see also further reading links credits authors api options configuration description details misc todo text title default defaults import'.split(' '),
);
/** True for a section name like "Introduction" or "Options" that names no subject. */
export function isGenericHeading(heading: string): boolean {
  return GENERIC.has(heading.toLowerCase().replace(/^[\d.]+\s+/, ''));
}

const HOW_TO = /^how\s+to\s+(.+)$/i;
const GERUND_FIRST = /^(\p{L}+ing)\b\s*(.*)$/u;

/** The first sentence under the heading: the answer's range. */
function firstSentence(context: PassageContext, from: number): { start: number; end: number } | undefined {
  const body = context.passage.blocks.find((block) => block.start >= from && block.kind !== 'heading' && block.kind !== 'table-row');
  if (!body) return undefined;
  const text = context.plain(body.start, body.end);
  const stop = /[.!?](\s|$)/.exec(text);
  const end = body.start + (stop ? stop.index : text.length);
  const range = trimRange(context, body.start, end);
  if (range.end - range.start < 10 || !context.isClean(range.start, range.end)) return undefined;
  return range;
}

/** Keeps a Title Case heading's words lower-case where the passage writes them so ("Gradient Accumulation" → "gradient accumulation"). */
function asPhrase(context: PassageContext, heading: string): string {
  const words = heading.split(' ');
  const common = words.map((word) => context.casing.isCommonWord(word));
  // "Gradient Accumulation": when a later word is ordinary, so is the capitalised first one (unless an acronym).
  if (common.slice(1).some(Boolean) && isCapitalisedWord(words[0]!) && !context.casing.isName(words[0]!)) common[0] = true;
  return words.map((word, index) => (common[index] ? word.toLowerCase() : word)).join(' ');
}

/** The section's first sentence gives an instruction: it opens with a verb in the imperative ("Run", "Open"). */
function isInstruction(context: PassageContext, start: number): boolean {
  const first = context.sentences().find((sentence) => sentence.start >= start)?.terms[0];
  return first !== undefined && first.tags.has('Verb') && !first.tags.has('PastTense') && !first.tags.has('Gerund') && !first.tags.has('Auxiliary');
}

/**
 * A section's heading turned into the question its first sentence answers: a heading that is a
 * question, "How to X" and "Doing X" headings, and headings that name a concept the text then explains.
 */
export const headingGenerator: Generator = {
  name: 'heading',
  generate(context) {
    const heading = context.passage.blocks[0];
    if (!heading || heading.kind !== 'heading') return [];
    const title = collapse(context.plain(heading.start, heading.end)).replace(/^[\d.]+\s+/, '');
    const answer = firstSentence(context, heading.end);
    if (!answer || title === '' || isGenericHeading(title)) return [];
    const candidates: Candidate[] = [];
    const howTo = HOW_TO.exec(title);
    const gerund = GERUND_FIRST.exec(title);
    const sentence = context.plain(answer.start, answer.end);
    if (title.endsWith('?')) {
      const question = finishQuestion([title]);
      if (readsAsQuestion(question) && title.split(' ').length >= 3) candidates.push({ question, ...answer, confidence: 0.75 });
    } else if ((howTo || gerund) && !isInstruction(context, answer.start)) {
      return [];
    } else if (howTo) {
      candidates.push({ question: finishQuestion([`How do you ${asPhrase(context, howTo[1]!)}`]), ...answer, confidence: 0.55 });
    } else if (gerund && gerund[2] !== '' && infinitiveOf(gerund[1]!) !== gerund[1]!) {
      const verb = infinitiveOf(gerund[1]!).toLowerCase();
      candidates.push({ question: finishQuestion([`How do you ${verb} ${asPhrase(context, gerund[2]!)}`]), ...answer, confidence: 0.45 });
    } else if (title.split(' ').length <= 5 && /^[\p{L}\d][\p{L}\d '-]*$/u.test(title)) {
      // A concept: only when the first sentence is about it ("Gradient accumulation sums ...").
      const opening = sentence.toLowerCase().replace(/^(a|an|the)\s+/, '');
      if (!opening.startsWith(title.toLowerCase())) return [];
      const concept = asPhrase(context, title);
      const verb = /[^s]s$/.test(concept) && concept === concept.toLowerCase() ? 'are' : 'is';
      candidates.push({ question: finishQuestion([`What ${verb} ${concept}`]), ...answer, confidence: 0.4 });
    }
    return candidates;
  },
};

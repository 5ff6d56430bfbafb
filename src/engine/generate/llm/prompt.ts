/** The request a language model gets for one passage, and the reading of its JSON reply. */
import type { ChatRequest } from './chat';

export interface ProposedPair {
  question: string;
  answer: string;
}

const SYSTEM = 'You write reading-comprehension questions for training an extractive question-answering model. You reply with JSON only.';

/** Asks for up to `count` questions whose answers are short spans copied from the passage. */
export function buildRequest(passageText: string, count: number, maxTokens: number): ChatRequest {
  const user = [
    `Write up to ${count} questions about the passage below.`,
    '- Each answer is copied character for character from the passage: a short span such as a name, number, date, term or phrase of at most ten words, never a whole sentence.',
    '- Each question can be answered from the passage alone, does not contain its answer, and differs from the others.',
    '- Ask only about what the passage says.',
    'Reply with one JSON object and nothing else, of the form {"pairs": [{"question": "...", "answer": "..."}]}.',
    '',
    'Passage:',
    '"""',
    passageText,
    '"""',
  ].join('\n');
  return { system: SYSTEM, user, maxTokens };
}

/**
 * Reads a reply: a JSON object with `pairs` (or a bare array), possibly inside a ``` fence or after
 * some words. Returns undefined when no such JSON is there; items without two strings are left out.
 */
export function parseReply(text: string): ProposedPair[] | undefined {
  for (const json of jsonReadings(text)) {
    const list = Array.isArray(json) ? json : isObject(json) ? [json.pairs, json.questions].find(Array.isArray) : undefined;
    if (!list) continue;
    return list.flatMap((item: unknown) =>
      isObject(item) && typeof item.question === 'string' && typeof item.answer === 'string' ? [{ question: item.question, answer: item.answer }] : [],
    );
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON values the text may hold: the whole text, a fenced block, from the first { to the last }, from the first [ to the last ]. */
function* jsonReadings(text: string): Generator<unknown> {
  const candidates = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence) candidates.push(fence[1]!.trim());
  for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
    const first = text.indexOf(open);
    const last = text.lastIndexOf(close);
    if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  }
  for (const candidate of candidates) {
    try {
      yield JSON.parse(candidate);
    } catch {
      // not this reading
    }
  }
}

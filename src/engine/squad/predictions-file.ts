import { UserError } from '../errors';
import { parseJsonText, readOrderedNumberObject } from './json-text';
import type { NaProb, Predictions } from './metrics';
import { readUserTextFile, type ReadTextOptions } from './text-file';

/** Parses an official predictions file: a JSON object mapping question ids to answer strings. */
export function parsePredictions(text: string, sourceName: string): Predictions {
  const parsed = parseJsonText(text, sourceName);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UserError(`${sourceName}: a predictions file must be a JSON object mapping question ids to answer strings`);
  }
  for (const [id, answer] of Object.entries(parsed)) {
    if (typeof answer !== 'string') {
      throw new UserError(`${sourceName}: the prediction for question ${JSON.stringify(id)} must be a string, got ${JSON.stringify(answer)}`);
    }
  }
  return parsed as Predictions;
}

export async function readPredictionsFile(path: string, options: ReadTextOptions = {}): Promise<Predictions> {
  return parsePredictions(await readUserTextFile(path, options), path);
}

/** Reads a no-answer probability file ({id: number}), keeping the file's key order for the threshold sweep. */
export async function readNaProbFile(path: string, options: ReadTextOptions = {}): Promise<Map<string, NaProb>> {
  const entries = readOrderedNumberObject(await readUserTextFile(path, options), path);
  return new Map([...entries].map(([id, { value, isInteger }]) => [id, { value, isInteger }]));
}

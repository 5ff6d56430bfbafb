import assert from 'node:assert/strict';
import path from 'node:path';
import { passagesOf, type Passage } from '../../../src/engine/generate';
import { PassageContext, type Generator } from '../../../src/engine/generate/generators/context';

export const sharedDir = path.resolve(__dirname, '../../..', '../shared');

/** Every passage is exactly its range of the file, and its plain text is as long. */
export function assertPassagesExact(text: string, passages: Passage[]): void {
  for (const passage of passages) {
    assert.equal(text.slice(passage.start, passage.end), passage.text);
    assert.equal(passage.plain.length, passage.text.length);
    for (const block of passage.blocks) assert.ok(block.start >= passage.start && block.end <= passage.end);
  }
}

/** Runs one generator over a document and returns question → answer (answers checked against the file). */
export function run(generator: Generator, file: string, text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const passage of passagesOf({ path: file, text })) {
    for (const candidate of generator.generate(new PassageContext(passage))) {
      const answer = text.slice(candidate.start, candidate.end);
      assert.ok(candidate.confidence >= 0 && candidate.confidence <= 1);
      pairs.set(candidate.question, answer);
    }
  }
  return pairs;
}

/** The plain (readable) text of each passage, whitespace collapsed. */
export function readable(passages: Passage[]): string[] {
  return passages.map((passage) => passage.plain.replace(/\s+/g, ' ').trim());
}

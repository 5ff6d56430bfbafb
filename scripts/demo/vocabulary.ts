/**
 * The demo model's WordPiece vocabulary: every word of the demo documents and questions (lower-cased,
 * as BERT's basic tokenizer splits them) as one token, plus every character they use alone and as a
 * "##" continuation, so any other word still tokenizes (into characters) instead of becoming [UNK].
 * A small table keeps a from-scratch model fast to train on two cores.
 *
 * `node --import tsx scripts/demo/vocabulary.ts` rewrites demo/vocab.txt after the documents change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BertWordPieceTokenizer } from '../../src/engine/tokenizer/bert-tokenizer';
import { demoDocuments, demoQuestionsFile, demoVocabularyFile, demoWorkspaceDir } from './paths';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** BERT-uncased basic tokenization alone (the vocabulary only needs the special tokens). */
export function basicTokenizer(): BertWordPieceTokenizer {
  return new BertWordPieceTokenizer({
    vocab: new Map(SPECIAL_TOKENS.map((token, id) => [token, id])),
    lowercase: true,
    stripAccents: true,
    cleanText: true,
    handleChineseChars: true,
    unkToken: '[UNK]',
    clsToken: '[CLS]',
    sepToken: '[SEP]',
    padToken: '[PAD]',
    maskToken: '[MASK]',
    addedTokens: SPECIAL_TOKENS.map((content, id) => ({ content, id })),
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: 100,
  });
}

/** The texts the vocabulary covers: the demo documents and the questions asked about them. */
export function demoTexts(): string[] {
  const questions = JSON.parse(readFileSync(demoQuestionsFile, 'utf8')) as { question: string }[];
  return [...demoDocuments.map((file) => readFileSync(path.join(demoWorkspaceDir, file), 'utf8')), ...questions.map((q) => q.question)];
}

export function buildVocabulary(texts: readonly string[]): string[] {
  const tokenizer = basicTokenizer();
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of tokenizer.basicTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const characters = new Set<string>('abcdefghijklmnopqrstuvwxyz0123456789');
  for (const word of counts.keys()) for (const character of word) characters.add(character);
  const sortedCharacters = [...characters].sort();
  const words = [...counts.keys()].filter((word) => [...word].length > 1).sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
  return [...SPECIAL_TOKENS, ...sortedCharacters, ...sortedCharacters.map((c) => `##${c}`), ...words];
}

if (require.main === module) {
  const vocabulary = buildVocabulary(demoTexts());
  writeFileSync(demoVocabularyFile, `${vocabulary.join('\n')}\n`);
  console.log(`${demoVocabularyFile}: ${vocabulary.length} tokens`);
}

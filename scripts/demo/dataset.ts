/**
 * The demo dataset: the hand-written questions of demo/questions.json, each placed on its answer in
 * a demo document, with the split the question names (train unless it says validation). Each whole
 * document is one context: the demo model learns from nothing, so it must see in training the same
 * windows of the file that "Ask a Question about This File" reads, the ones without the answer
 * included (where it learns to say "no answer").
 *
 * `node --import tsx scripts/demo/dataset.ts` rewrites demo/workspace/.spantune/dataset.json after
 * the documents or the questions change; a unit test checks that it is up to date.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SquadDataset } from '../../src/engine/squad/types';
import { writeFileAtomic } from '../../src/engine/fs/atomic';
import { addQuestion, emptyDataset, setSplit, sha256, type Clock, type SpanTuneParagraph, type Split } from '../../src/extension/logic/workspace-dataset';
import { demoDatasetFile, demoQuestionsFile, demoWorkspaceDir } from './paths';

export interface DemoQuestion {
  file: string;
  question: string;
  /** The answer's exact text in the file (for an unanswerable question: text that picks the passage). */
  answer: string;
  /** Text just before the answer, when the answer's text occurs earlier in the file too. */
  after?: string;
  split?: Split;
  unanswerable?: boolean;
}

export function readDemoQuestions(): DemoQuestion[] {
  return JSON.parse(readFileSync(demoQuestionsFile, 'utf8')) as DemoQuestion[];
}

/** Where `question`'s answer lies in `text`: the first occurrence of the answer after `after`. */
export function locateAnswer(text: string, question: DemoQuestion): { start: number; end: number } {
  let from = 0;
  if (question.after !== undefined) {
    const at = text.indexOf(question.after);
    if (at < 0) throw new Error(`${question.file}: "${question.after}" (before the answer to "${question.question}") is not in the file`);
    from = at + question.after.length;
  }
  const start = text.indexOf(question.answer, from);
  if (start < 0) throw new Error(`${question.file}: the answer "${question.answer}" to "${question.question}" is not in the file`);
  return { start, end: start + question.answer.length };
}

export function buildDemoDataset(questions: readonly DemoQuestion[] = readDemoQuestions(), workspace = demoWorkspaceDir): SquadDataset {
  const dataset = emptyDataset();
  let n = 0;
  const clock: Clock = { now: () => new Date('2025-06-01T00:00:00.000Z'), newId: () => `demo-${String(++n).padStart(3, '0')}` };
  for (const question of questions) {
    const documentText = readFileSync(path.join(workspace, question.file), 'utf8');
    if (!dataset.data.some((article) => article.title === question.file)) {
      const source = { path: question.file, start: 0, end: documentText.length, sha256: sha256(documentText) };
      dataset.data.push({ title: question.file, paragraphs: [{ context: documentText, source, qas: [] } as SpanTuneParagraph] });
    }
    const qa = addQuestion(
      dataset,
      { path: question.file, documentText, selection: locateAnswer(documentText, question), question: question.question, unanswerable: question.unanswerable },
      clock,
    );
    setSplit(dataset, qa.id, question.split ?? 'train');
  }
  return dataset;
}

export function datasetText(dataset: SquadDataset): string {
  return `${JSON.stringify(dataset, null, 2)}\n`;
}

if (require.main === module) {
  const dataset = buildDemoDataset();
  mkdirSync(path.dirname(demoDatasetFile), { recursive: true });
  void writeFileAtomic(demoDatasetFile, datasetText(dataset)).then(() => console.log(`${demoDatasetFile}: ${readDemoQuestions().length} questions`));
}

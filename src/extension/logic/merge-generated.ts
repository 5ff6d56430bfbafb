/**
 * Merges generated QA pairs into the workspace dataset: each pair lands on the passage with the same
 * file and text (or a new passage with its source), marked generated and unreviewed; a question the
 * passage already has (same wording, any origin) or an id already in use is left out as a duplicate.
 */
import type { SquadArticle, SquadDataset } from '../../engine/squad/types';
import type { SpanTuneParagraph, SpanTuneQuestion } from './workspace-dataset';

export interface MergeReport {
  added: number;
  duplicates: number;
  /** Passages that did not exist in the dataset before. */
  newPassages: number;
}

/** Questions compare equal regardless of case, spacing and the final question mark. */
export function questionKey(question: string): string {
  return question.toLowerCase().replace(/\s+/g, ' ').replace(/\s*\?+$/, '').trim();
}

export function mergeGenerated(dataset: SquadDataset, generated: SquadDataset): MergeReport {
  const report: MergeReport = { added: 0, duplicates: 0, newPassages: 0 };
  const ids = new Set<string>();
  for (const article of dataset.data) for (const paragraph of article.paragraphs) for (const qa of paragraph.qas) ids.add(qa.id);

  for (const incomingArticle of generated.data) {
    for (const incoming of incomingArticle.paragraphs as SpanTuneParagraph[]) {
      const path = incoming.source?.path;
      let target = findPassage(dataset, path, incoming.context);
      const fresh = !target;
      const questions = new Set((target?.qas ?? []).map((qa) => questionKey(qa.question)));
      const toAdd: SpanTuneQuestion[] = [];
      for (const qa of incoming.qas as SpanTuneQuestion[]) {
        const key = questionKey(qa.question);
        if (ids.has(qa.id) || questions.has(key)) {
          report.duplicates++;
          continue;
        }
        ids.add(qa.id);
        questions.add(key);
        toAdd.push({ ...structuredClone(qa), origin: 'generated', reviewed: false });
      }
      if (toAdd.length === 0) continue;
      if (!target) {
        target = { ...structuredClone(incoming), qas: [] };
        articleFor(dataset, incomingArticle.title ?? path).paragraphs.push(target);
      }
      target.qas.push(...toAdd);
      report.added += toAdd.length;
      if (fresh) report.newPassages++;
    }
  }
  return report;
}

function findPassage(dataset: SquadDataset, path: string | undefined, context: string): SpanTuneParagraph | undefined {
  for (const article of dataset.data) {
    for (const paragraph of article.paragraphs as SpanTuneParagraph[]) {
      if (paragraph.context === context && paragraph.source?.path === path) return paragraph;
    }
  }
  return undefined;
}

function articleFor(dataset: SquadDataset, title: string | undefined): SquadArticle {
  let article = dataset.data.find((a) => a.title === title);
  if (!article) {
    article = { title, paragraphs: [] };
    dataset.data.push(article);
  }
  return article;
}

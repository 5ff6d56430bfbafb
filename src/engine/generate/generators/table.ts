import { finishQuestion } from '../question';
import type { Candidate, Generator } from './context';

/** A table row under a header → "What is the <column> of <row's first cell>?" for each other cell. */
export const tableGenerator: Generator = {
  name: 'table',
  generate(context) {
    const candidates: Candidate[] = [];
    for (const row of context.passage.blocks) {
      if (row.kind !== 'table-row' || !row.cells || !row.columns || row.cells.length < 2) continue;
      const key = context.words(row.cells[0]!.start, row.cells[0]!.end);
      if (key === '' || /^[\d.,#-]+$/.test(key)) continue;
      row.cells.slice(1).forEach((cell, index) => {
        const column = row.columns![index + 1];
        if (!column || cell.end <= cell.start || !context.isClean(cell.start, cell.end)) return;
        const label = context.casing.label(column);
        candidates.push({ question: finishQuestion([`What is the ${label} of ${key}`]), start: cell.start, end: cell.end, confidence: 0.7 });
      });
    }
    return candidates;
  },
};

/** Where the demo's material lives in the repository. */
import * as path from 'node:path';

export const demoDir = path.resolve(__dirname, '..', '..', 'demo');
/** The documents (and, once built, their dataset and settings) that `npm start` opens. */
export const demoWorkspaceDir = path.join(demoDir, 'workspace');
/** The hand-written questions the demo dataset is built from. */
export const demoQuestionsFile = path.join(demoDir, 'questions.json');
/** The demo model's WordPiece vocabulary, built from the demo documents. */
export const demoVocabularyFile = path.join(demoDir, 'vocab.txt');
/** The dataset inside the demo workspace (its default `spantune.datasetPath`). */
export const demoDatasetFile = path.join(demoWorkspaceDir, '.spantune', 'dataset.json');
/** Documents of the demo workspace, relative to it: every kind that generation reads. */
export const demoDocuments = [
  'README.md',
  'docs/getting-started.md',
  'docs/predicting.md',
  'docs/tides.rst',
  'docs/constituents.md',
  'docs/datums.rst',
  'docs/station-files.adoc',
  'docs/constituent-lines.adoc',
  'docs/faq.html',
  'docs/support.html',
  'docs/glossary.txt',
  'src/predict.ts',
  'src/extremes.ts',
  'tools/observations.py',
  'tools/fit_constants.py',
];

import path from 'node:path';

/** The shared read-only folder (fixtures, data), beside the project root. */
export const sharedDir = path.resolve(__dirname, '../../..', '../shared');
export const fixtureModelDir = path.join(sharedDir, 'fixtures/models/tiny-bert-qa');
export const goldenTokenizePath = path.join(sharedDir, 'fixtures/golden_tokenize_uncased_sample.json');
export const xquadPath = path.join(sharedDir, 'data/xquad-en/xquad.en.json');
export const covidQaPath = path.join(sharedDir, 'data/covid-qa/covidQA.json');

export interface GoldenTokenizeCase {
  index: number;
  text: string;
  uncased: { tokens: string[]; ids: number[]; ids_with_special_tokens: number[]; basic_tokens: string[] };
}

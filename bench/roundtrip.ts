// Benchmark of the round-trip filter (issue 12): the first 120 paragraphs of XQuAD-en, one Markdown
// file each, generated with the default (offline) generators, then filtered by a QA model. Prints how
// many pairs it checks and keeps, the recall of the human answers before and after (token F1 >= 0.5),
// and the time. The model defaults to a copy of the tiny random fixture, the best one here; with a
// random model the figures show the filter's plumbing and cost, not its value on a real model.
// Run: npm run bench:roundtrip [-- --model DIR --paragraphs 120 --min-f1 0.5]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateFromFiles, type PairStage } from '../src/engine/generate/generate';
import { RoundTripFilter } from '../src/engine/generate/roundtrip';
import { f1V1 } from '../src/engine/squad/metrics';
import type { SquadDataset } from '../src/engine/squad/types';
import { copyFixtureModel } from '../test/support/fixture-copy';

const { values } = parseArgs({ options: { model: { type: 'string' }, paragraphs: { type: 'string', default: '120' }, 'min-f1': { type: 'string', default: '0.5' } } });
const shared = resolve(__dirname, '..', '..', 'shared');
const modelDir = values.model ?? copyFixtureModel('tiny-bert-qa');
const count = Number(values.paragraphs);
const minF1 = Number(values['min-f1']);

const xquad = JSON.parse(readFileSync(resolve(shared, 'data/xquad-en/xquad.en.json'), 'utf8')) as SquadDataset;
const paragraphs = xquad.data.flatMap((article) => article.paragraphs).slice(0, count);
const files = paragraphs.map((paragraph, i) => ({ path: `xquad/p${String(i + 1).padStart(3, '0')}.md`, text: paragraph.context }));
const gold = new Map(files.map((file, i) => [file.path, paragraphs[i]!.qas.flatMap((qa) => qa.answers.map((answer) => answer.text))]));

type Pairs = Map<string, string[]>;
/** Generated answers by file, each checked to be the file's text at its offset. */
function answersByFile(dataset: SquadDataset): { answers: Pairs; pairs: number; exact: number } {
  const answers: Pairs = new Map();
  let pairs = 0;
  let exact = 0;
  for (const article of dataset.data) {
    const text = files.find((file) => file.path === article.title)!.text;
    for (const paragraph of article.paragraphs) {
      const source = paragraph.source as { start: number };
      for (const qa of paragraph.qas) {
        for (const answer of qa.answers) {
          pairs++;
          const at = source.start + answer.answer_start;
          if (text.slice(at, at + answer.text.length) === answer.text) exact++;
          answers.set(article.title!, [...(answers.get(article.title!) ?? []), answer.text]);
        }
      }
    }
  }
  return { answers, pairs, exact };
}

/** Share of the human answers that some generated answer of the same paragraph matches (token F1 >= 0.5). */
function recall(answers: Pairs): number {
  let total = 0;
  let covered = 0;
  for (const [path, goldAnswers] of gold) {
    for (const answer of goldAnswers) {
      total++;
      if ((answers.get(path) ?? []).some((generated) => f1V1(generated, answer) >= 0.5)) covered++;
    }
  }
  return covered / Math.max(1, total);
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
  const options = { now: new Date(0) };
  const started = performance.now();
  const plain = await generateFromFiles(files, options);
  const generateSeconds = (performance.now() - started) / 1000;
  const before = answersByFile(plain.dataset);

  const filter = new RoundTripFilter({ modelDir, minF1 });
  let filterSeconds = 0;
  const timed: PairStage = async (...args) => {
    const stageStarted = performance.now();
    const kept = await filter.stage(...args);
    filterSeconds = (performance.now() - stageStarted) / 1000;
    return kept;
  };
  const filtered = await generateFromFiles(files, options, undefined, undefined, [timed]);
  const after = answersByFile(filtered.dataset);
  const report = filter.report!;

  const figures = {
    corpus: `XQuAD-en, first ${paragraphs.length} paragraphs, one Markdown file each, default generators`,
    model: modelDir,
    engine: report.backend,
    minF1,
    pairs: before.pairs,
    pairsPerParagraph: round(before.pairs / paragraphs.length, 2),
    exactSpans: round(before.exact / Math.max(1, before.pairs)),
    checked: report.checked,
    kept: report.passed,
    dropped: report.dropped,
    keptShare: round(report.passed / Math.max(1, report.checked)),
    keptExactSpans: round(after.exact / Math.max(1, after.pairs)),
    goldRecallBefore: round(recall(before.answers)),
    goldRecallAfter: round(recall(after.answers)),
    generateSeconds: round(generateSeconds, 1),
    /** Loading the model (and building its ONNX graph the first time) included. */
    roundTripSeconds: round(filterSeconds, 1),
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
}

void main();

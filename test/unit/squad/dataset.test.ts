import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { UserError } from '../../../src/engine/errors';
import {
  describeCheckReport,
  evaluationVersion,
  flattenExamples,
  formatSquad,
  hasV2Markers,
  parseSquad,
  parseSquadCollecting,
  readSquadFile,
  readSquadFileCollecting,
  writeSquadFile,
} from '../../../src/engine/squad/dataset';
import { covidQaPath, tempDir, xquadPath } from './helpers';

const context = 'The Normans were the people who in the 10th and 11th centuries gave their name to Normandy.';

function question(id: unknown, extra: Record<string, unknown> = {}) {
  return { id, question: 'Who gave their name to Normandy?', answers: [{ text: 'The Normans', answer_start: 0 }], ...extra };
}

function file(qas: unknown[], top: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: '1.1', data: [{ title: 'Normans', paragraphs: [{ context, qas }] }], ...top });
}

/** The message of the UserError that `fn` throws. */
function userErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof UserError, `expected a UserError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a UserError');
}

describe('parseSquad: errors name the file and the place', () => {
  test('a span whose text does not match the context', () => {
    const text = file([question('q1'), question('q2', { answers: [{ text: 'Vikings', answer_start: 4 }] })]);
    assert.equal(
      userErrorOf(() => parseSquad(text, 'train.json')),
      'train.json: data[0].paragraphs[0].qas[1].answers[0]: answer_start 4 points at "Normans", but the answer text is "Vikings"',
    );
  });

  test('not JSON: line and column of the syntax error', () => {
    const text = '{\n  "data": [\n    {"paragraphs": [}\n  ]\n}';
    assert.match(userErrorOf(() => parseSquad(text, 'bad.json')), /^bad\.json: not valid JSON at line 3, column 21: /);
  });

  test('no "data", or a list at the top', () => {
    assert.match(userErrorOf(() => parseSquad('{"version": "1.1"}', 'x.json')), /x\.json: no "data" field/);
    assert.match(userErrorOf(() => parseSquad('[]', 'x.json')), /the top level is a list/);
    assert.match(userErrorOf(() => parseSquad('{"data": {}}', 'x.json')), /"data" must be a list of articles, got an object/);
  });

  test('a question without an id, or with a non-string id', () => {
    const withoutId = file([{ question: 'Who?', answers: [{ text: 'The Normans', answer_start: 0 }] }]);
    assert.equal(userErrorOf(() => parseSquad(withoutId, 'x.json')), 'x.json: data[0].paragraphs[0].qas[0]: the question has no "id"');
    assert.match(userErrorOf(() => parseSquad(file([question(true)]), 'x.json')), /"id" must be a string, got a boolean/);
  });

  test('a duplicate id names where it was first used', () => {
    assert.equal(
      userErrorOf(() => parseSquad(file([question('q1'), question('q1')]), 'x.json')),
      'x.json: data[0].paragraphs[0].qas[1] (id "q1"): the id is already used by data[0].paragraphs[0].qas[0]',
    );
  });

  test('a v1.1 training question without answers', () => {
    assert.match(
      userErrorOf(() => parseSquad(file([question('q1', { answers: [] })]), 'x.json')),
      /qas\[0\] \(id "q1"\): the question has no answers; in a SQuAD v1\.1 training file every question needs one/,
    );
  });

  test('answer_start past the end, negative, or missing', () => {
    const past = file([question('q1', { answers: [{ text: 'x', answer_start: 500 }] })]);
    assert.match(userErrorOf(() => parseSquad(past, 'x.json')), /answer_start 500 is past the end of the context \(91 characters\)/);
    const negative = file([question('q1', { answers: [{ text: 'x', answer_start: -1 }] })]);
    assert.match(userErrorOf(() => parseSquad(negative, 'x.json')), /"answer_start" must be a whole number ≥ 0, got -1/);
    const missing = file([question('q1', { answers: [{ text: 'x' }] })]);
    assert.match(userErrorOf(() => parseSquad(missing, 'x.json')), /"answer_start" must be a whole number ≥ 0, got nothing/);
  });

  test('is_impossible true with answers, and is_impossible not a boolean', () => {
    const both = file([question('q1', { is_impossible: true })]);
    assert.match(userErrorOf(() => parseSquad(both, 'x.json')), /"is_impossible" is true, but the question lists 1 answer/);
    const odd = file([question('q1', { is_impossible: 'no' })]);
    assert.match(userErrorOf(() => parseSquad(odd, 'x.json')), /"is_impossible" must be true or false, got "no"/);
  });

  test('empty question text and empty context', () => {
    assert.match(userErrorOf(() => parseSquad(file([question('q1', { question: '  ' })]), 'x.json')), /the question text is empty/);
    const noContext = JSON.stringify({ data: [{ paragraphs: [{ context: '', qas: [question('q1')] }] }] });
    assert.match(userErrorOf(() => parseSquad(noContext, 'x.json')), /data\[0\]\.paragraphs\[0\]\.context: the context is empty/);
  });

  test('a file with no questions', () => {
    assert.match(userErrorOf(() => parseSquad('{"data": []}', 'x.json')), /x\.json: the file holds no questions/);
  });
});

describe('parseSquad: SQuAD v2.0 and purposes', () => {
  test('v2.0 is detected from the version or from is_impossible fields', () => {
    assert.equal(hasV2Markers({ version: 'v2.0', data: [] }), true);
    assert.equal(hasV2Markers(JSON.parse(file([question('q1', { is_impossible: false })]))), true);
    assert.equal(hasV2Markers(JSON.parse(file([question('q1')]))), false);
  });

  test('a v2.0 file may hold unanswerable questions; flattenExamples marks them', () => {
    const text = file([question('q1'), question('q2', { answers: [], is_impossible: true, plausible_answers: [{ text: 'Normandy', answer_start: 82 }] })], {
      version: 'v2.0',
    });
    const dataset = parseSquad(text, 'x.json');
    const examples = flattenExamples(dataset);
    assert.deepEqual(
      examples.map((e) => [e.id, e.isImpossible, e.answers.length, e.title]),
      [
        ['q1', false, 1, 'Normans'],
        ['q2', true, 0, 'Normans'],
      ],
    );
    assert.deepEqual(examples[0]!.answers[0], { text: 'The Normans', start: 0 });
    assert.equal(examples[0]!.context, context);
    assert.equal(evaluationVersion(dataset), '2.0');
  });

  test('"is_impossible": false with no answers is an error for training', () => {
    const text = file([question('q1', { answers: [], is_impossible: false })], { version: 'v2.0' });
    assert.match(userErrorOf(() => parseSquad(text, 'x.json')), /"is_impossible" is false, but the question has no answers/);
  });

  test('evaluate: no answers means unanswerable, so the data is scored as v2.0', () => {
    const dataset = parseSquad(file([question('q1'), question('q2', { answers: [] })]), 'x.json', { purpose: 'evaluate' });
    assert.equal(evaluationVersion(dataset), '2.0');
  });

  test('evaluate without span checks accepts answers placed wrongly (the metrics only read texts)', () => {
    const text = file([question('q1', { answers: [{ text: 'Vikings', answer_start: 4 }] })]);
    const dataset = parseSquad(text, 'x.json', { purpose: 'evaluate', checkAnswerSpans: false });
    assert.equal(dataset.data[0]!.paragraphs[0]!.qas[0]!.answers[0]!.text, 'Vikings');
  });

  test('predict: answers are optional', () => {
    const text = file([{ id: 'q1', question: 'Who?' }]);
    assert.equal(flattenExamples(parseSquad(text, 'x.json', { purpose: 'predict' }))[0]!.answers.length, 0);
    assert.match(userErrorOf(() => parseSquad(text, 'x.json', { purpose: 'train' })), /the question has no "answers" list/);
  });

  test('numeric ids are read as strings', () => {
    const dataset = parseSquad(file([question(17)]), 'x.json');
    assert.equal(flattenExamples(dataset)[0]!.id, '17');
  });

  test('an answer whose text has whitespace around it that answer_start skips is trimmed (unless turned off)', () => {
    const text = file([question('q1', { answers: [{ text: ' Normans ', answer_start: 4 }] })]);
    assert.equal(flattenExamples(parseSquad(text, 'x.json'))[0]!.answers[0]!.text, 'Normans');
    assert.match(userErrorOf(() => parseSquad(text, 'x.json', { repairWhitespace: false })), /answer_start 4 points at "Normans w", but the answer text is " Normans "/);
  });

  test('extra fields are kept', () => {
    const text = file([question('q1', { note: 'n' })], { source: 's' });
    const dataset = parseSquad(text, 'x.json');
    assert.equal(dataset.source, 's');
    assert.equal(dataset.data[0]!.paragraphs[0]!.qas[0]!.note, 'n');
  });
});

describe('parseSquadCollecting', () => {
  test('reports every problem, skips the bad questions and counts them', () => {
    const text = file([
      question('q1'),
      question('q2', { answers: [{ text: 'Vikings', answer_start: 4 }] }),
      question('q1'),
      { question: 'no id', answers: [] },
      question('q5', { answers: [{ text: 'Vikings', answer_start: 4 }, { text: 'Normans', answer_start: 4 }] }),
    ]);
    const report = parseSquadCollecting(text, 'x.json');
    assert.equal(report.questionCount, 5);
    assert.equal(report.keptQuestionCount, 2);
    assert.equal(report.skippedQuestionCount, 3);
    assert.deepEqual(
      report.problems.map((p) => p.where),
      ['data[0].paragraphs[0].qas[1].answers[0]', 'data[0].paragraphs[0].qas[2] (id "q1")', 'data[0].paragraphs[0].qas[3]', 'data[0].paragraphs[0].qas[4].answers[0]'],
    );
    // q5 keeps its one good answer.
    const kept = flattenExamples(report.dataset);
    assert.deepEqual(kept.map((e) => e.id), ['q1', 'q5']);
    assert.deepEqual(kept[1]!.answers, [{ text: 'Normans', start: 4 }]);
    assert.match(describeCheckReport(report, 'x.json'), /^x\.json: 5 questions, 2 usable, 3 skipped, 4 problem\(s\)\n {2}data\[0\]/);
  });

  test('a paragraph without context skips all its questions', () => {
    const text = JSON.stringify({ data: [{ paragraphs: [{ qas: [question('a'), question('b')] }, { context, qas: [question('c')] }] }] });
    const report = parseSquadCollecting(text, 'x.json');
    assert.equal(report.questionCount, 3);
    assert.equal(report.skippedQuestionCount, 2);
    assert.equal(report.problems[0]!.message, 'the paragraph has no "context"');
  });
});

describe('reading and writing files', () => {
  test('XQuAD-en reads cleanly: 1,190 questions with matching spans', async () => {
    const report = await readSquadFileCollecting(xquadPath);
    assert.equal(report.questionCount, 1190);
    assert.equal(report.problems.length, 0);
    assert.equal(report.isV2, false);
    assert.equal(flattenExamples(report.dataset).length, 1190);
  });

  test('COVID-QA: 196 answers repaired, 38 misplaced answers reported, numeric ids read as strings', async () => {
    const report = await readSquadFileCollecting(covidQaPath);
    assert.equal(report.questionCount, 1380);
    assert.equal(report.repairs.trimmedAnswers, 196);
    assert.equal(report.repairs.numericIds, 1380);
    assert.equal(report.skippedQuestionCount, 38);
    assert.ok(report.problems.every((p) => p.where.startsWith('data[90].') || /points at/.test(p.message)));
    await assert.rejects(readSquadFile(covidQaPath), /covidQA\.json: data\[90\]\.paragraphs\[0\]\.qas\[0\]\.answers\[0\]: answer_start 154 points at/);
    // For evaluation the spans do not matter.
    const forEvaluation = await readSquadFile(covidQaPath, { purpose: 'evaluate', checkAnswerSpans: false });
    assert.equal(flattenExamples(forEvaluation).length, 1380);
  });

  test('missing file, folder, size limit, binary and invalid UTF-8', async () => {
    const dir = tempDir();
    await assert.rejects(readSquadFile(path.join(dir, 'none.json')), /none\.json: no such file/);
    await assert.rejects(readSquadFile(dir), /is a folder, not a file/);
    const small = path.join(dir, 'small.json');
    writeFileSync(small, file([question('q1')]));
    await assert.rejects(readSquadFile(small, { maxBytes: 100 }), /small\.json: the file is \d+ bytes, more than the limit of 100 bytes/);
    const binary = path.join(dir, 'binary.json');
    writeFileSync(binary, Buffer.from([0x7b, 0x00, 0x7d]));
    await assert.rejects(readSquadFile(binary), /binary\.json: looks like a binary file \(a NUL byte at byte 1\)/);
    const latin1 = path.join(dir, 'latin1.json');
    writeFileSync(latin1, Buffer.concat([Buffer.from('{"data": "caf'), Buffer.from([0xe9]), Buffer.from('"}')]));
    await assert.rejects(readSquadFile(latin1), /latin1\.json: not valid UTF-8 text \(first bad byte at offset 13\)/);
  });

  test('a byte order mark is accepted', async () => {
    const dir = tempDir();
    const withBom = path.join(dir, 'bom.json');
    writeFileSync(withBom, `\ufeff${file([question('q1')])}`);
    assert.equal(flattenExamples(await readSquadFile(withBom)).length, 1);
  });

  test('write then read gives the same dataset; the write leaves no temporary file', async () => {
    const dir = tempDir();
    const original = parseSquad(file([question('q1'), question('q2', { extra: { deep: [1, 2] } })], { version: 'v2.0' }), 'x.json');
    const target = path.join(dir, 'out.json');
    await writeSquadFile(target, original);
    assert.deepEqual(await readSquadFile(target), original);
    assert.equal(readFileSync(target, 'utf8'), formatSquad(original));
    assert.ok(readFileSync(target, 'utf8').endsWith('}\n'));
    assert.deepEqual(readdirSync(dir), ['out.json']);
    // Overwrite atomically.
    await writeSquadFile(target, { ...original, version: '1.1' });
    assert.equal((await readSquadFile(target)).version, '1.1');
    await assert.rejects(writeSquadFile(path.join(dir, 'missing-folder', 'x.json'), original), /does not exist/);
    assert.deepEqual(readdirSync(dir), ['out.json']);
  });
});

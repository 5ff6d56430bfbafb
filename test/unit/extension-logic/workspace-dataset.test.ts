import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addAnswer,
  addQuestion,
  applyDocumentChanges,
  buildTrainingSets,
  countDataset,
  deleteQuestion,
  editQuestion,
  emptyDataset,
  exportDataset,
  importDataset,
  listEntries,
  markUnanswerable,
  reconcileDocument,
  reviewQuestion,
  setSplit,
  sha256,
  type Clock,
  type SpanTuneParagraph,
} from '../../../src/extension/logic/workspace-dataset';

function counterClock(): Clock {
  let n = 0;
  return { now: () => new Date('2025-01-02T03:04:05Z'), newId: () => `q${++n}` };
}

const doc = '# Guide\n\nThe tokenizer splits words into WordPiece units.\n\nTraining uses AdamW with warmup.';

function selectionOf(text: string, needle: string) {
  const start = text.indexOf(needle);
  assert.ok(start >= 0, needle);
  return { start, end: start + needle.length };
}

function annotated() {
  const ds = emptyDataset();
  const clock = counterClock();
  const qa = addQuestion(ds, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'WordPiece units'), question: 'What does the tokenizer produce?' }, clock);
  return { ds, qa, clock };
}

test('adding a question creates a passage context with its source and a human, reviewed pair', () => {
  const { ds, qa } = annotated();
  const paragraph = ds.data[0]!.paragraphs[0] as SpanTuneParagraph;
  assert.equal(ds.data[0]!.title, 'docs/guide.md');
  assert.equal(paragraph.context, 'The tokenizer splits words into WordPiece units.');
  assert.deepEqual(paragraph.source, { path: 'docs/guide.md', start: 9, end: 57, sha256: sha256(paragraph.context) });
  assert.equal(qa.id, 'q1');
  assert.deepEqual(qa.answers, [{ text: 'WordPiece units', answer_start: paragraph.context.indexOf('WordPiece') }]);
  assert.equal(qa.origin, 'human');
  assert.equal(qa.reviewed, true);
  assert.equal(qa.created, '2025-01-02T03:04:05.000Z');
});

test('a second question in the same paragraph reuses its context', () => {
  const { ds, clock } = annotated();
  addQuestion(ds, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'tokenizer'), question: 'What splits words?' }, clock);
  assert.equal(ds.data[0]!.paragraphs.length, 1);
  assert.equal(ds.data[0]!.paragraphs[0]!.qas.length, 2);
});

test('an empty question or an empty selection is refused with a clear message', () => {
  const ds = emptyDataset();
  assert.throws(() => addQuestion(ds, { path: 'a.md', documentText: doc, selection: selectionOf(doc, 'AdamW'), question: '  ' }), /question is empty/);
  assert.throws(() => addQuestion(ds, { path: 'a.md', documentText: doc, selection: { start: 3, end: 3 }, question: 'Q?' }), /Select the answer/);
});

test('another answer must lie in the same passage; unanswerable keeps plausible answers', () => {
  const { ds, qa } = annotated();
  addAnswer(ds, qa.id, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'WordPiece') });
  assert.equal(qa.answers.length, 2);
  assert.throws(() => addAnswer(ds, qa.id, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'AdamW') }), /outside the passage/);
  markUnanswerable(ds, qa.id);
  assert.equal(qa.is_impossible, true);
  assert.deepEqual(qa.answers, []);
  assert.equal(qa.plausible_answers?.length, 2);
});

test('typing before a passage moves its answers along', () => {
  const { ds } = annotated();
  const newDoc = 'Intro. ' + doc;
  assert.equal(applyDocumentChanges(ds, 'docs/guide.md', [{ offset: 0, deletedLength: 0, insertedText: 'Intro. ' }], newDoc), true);
  const [entry] = listEntries(ds);
  assert.equal(newDoc.slice(entry!.answers[0]!.documentStart, entry!.answers[0]!.documentEnd), 'WordPiece units');
  assert.equal(entry!.stale, false);
});

test('an edit inside the passage but outside the answer updates the context, not the answer', () => {
  const { ds } = annotated();
  const at = doc.indexOf('splits');
  const newDoc = doc.slice(0, at) + 'cuts' + doc.slice(at + 'splits'.length);
  applyDocumentChanges(ds, 'docs/guide.md', [{ offset: at, deletedLength: 6, insertedText: 'cuts' }], newDoc);
  const paragraph = ds.data[0]!.paragraphs[0] as SpanTuneParagraph;
  assert.equal(paragraph.context, 'The tokenizer cuts words into WordPiece units.');
  assert.equal(paragraph.source?.sha256, sha256(paragraph.context));
  const answer = paragraph.qas[0]!.answers[0]!;
  assert.equal(paragraph.context.slice(answer.answer_start, answer.answer_start + answer.text.length), 'WordPiece units');
  assert.equal(listEntries(ds)[0]!.stale, false);
});

test('editing the answer text itself marks the question stale and keeps the old answer text', () => {
  const { ds } = annotated();
  const at = doc.indexOf('Piece');
  const newDoc = doc.slice(0, at) + 'Part' + doc.slice(at + 5);
  applyDocumentChanges(ds, 'docs/guide.md', [{ offset: at, deletedLength: 5, insertedText: 'Part' }], newDoc);
  const [entry] = listEntries(ds);
  assert.equal(entry!.stale, true);
  assert.equal(entry!.answers[0]!.text, 'WordPiece units');
  assert.equal(countDataset(ds).stale, 1);
  assert.deepEqual(buildTrainingSets(ds, { includeUnreviewed: false, validationFraction: 0 }).train.data, []);
});

test('edits in other files or after the passage change nothing', () => {
  const { ds } = annotated();
  assert.equal(applyDocumentChanges(ds, 'other.md', [{ offset: 0, deletedLength: 0, insertedText: 'x' }], 'x'), false);
  assert.equal(applyDocumentChanges(ds, 'docs/guide.md', [{ offset: doc.length, deletedLength: 0, insertedText: '!' }], doc + '!'), false);
});

test('reconcile moves a passage found elsewhere and marks a vanished one stale', () => {
  const { ds } = annotated();
  assert.deepEqual(reconcileDocument(ds, 'docs/guide.md', 'New heading\n\n' + doc), { moved: 1, staled: 0 });
  assert.equal(listEntries(ds)[0]!.stale, false);
  assert.deepEqual(reconcileDocument(ds, 'docs/guide.md', 'Completely rewritten.'), { moved: 0, staled: 1 });
  assert.equal(listEntries(ds)[0]!.stale, true);
});

test('edit, review, split and delete', () => {
  const { ds, qa, clock } = annotated();
  editQuestion(ds, qa.id, { question: 'What units?', answerText: 'WordPiece' });
  assert.equal(qa.question, 'What units?');
  assert.equal(qa.answers[0]!.text, 'WordPiece');
  assert.throws(() => editQuestion(ds, qa.id, { answerText: 'AdamW' }), /does not occur in the passage/);
  const generated = addQuestion(ds, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'AdamW'), question: 'Which optimizer?', origin: 'generated' }, clock);
  assert.equal(generated.reviewed, false);
  assert.equal(countDataset(ds).unreviewed, 1);
  reviewQuestion(ds, generated.id, true);
  assert.equal(generated.reviewed, true);
  setSplit(ds, generated.id, 'validation');
  assert.equal(countDataset(ds).validation, 1);
  reviewQuestion(ds, generated.id, false);
  deleteQuestion(ds, qa.id);
  assert.deepEqual(ds.data, []);
});

test('training sets honour explicit splits, leave out unreviewed generated pairs and strip extra fields', () => {
  const { ds, clock } = annotated();
  const generated = addQuestion(ds, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'AdamW'), question: 'Which optimizer?', origin: 'generated' }, clock);
  const held = addQuestion(ds, { path: 'docs/guide.md', documentText: doc, selection: selectionOf(doc, 'warmup'), question: 'And the schedule?' }, clock);
  setSplit(ds, held.id, 'validation');
  const sets = buildTrainingSets(ds, { includeUnreviewed: false, validationFraction: 0 });
  const ids = (d: typeof sets.train) => d.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)));
  assert.deepEqual(ids(sets.train), ['q1']);
  assert.deepEqual(ids(sets.validation), [held.id]);
  assert.deepEqual(Object.keys(sets.train.data[0]!.paragraphs[0]!.qas[0]!).sort(), ['answers', 'id', 'is_impossible', 'question']);
  assert.ok(ids(buildTrainingSets(ds, { includeUnreviewed: true, validationFraction: 0 }).train).includes(generated.id));
  assert.equal(ids(buildTrainingSets(ds, { includeUnreviewed: false, validationFraction: 1 }).train).length, 0);
});

test('import merges, counts duplicates and reports id conflicts; export to v1.1 drops unanswerable', () => {
  const { ds, qa } = annotated();
  const incoming = {
    version: 'v2.0',
    data: [
      {
        title: 'Other',
        paragraphs: [
          {
            context: 'Paris is the capital of France.',
            qas: [
              { id: 'x1', question: 'Capital?', answers: [{ text: 'Paris', answer_start: 0 }] },
              { id: 'x2', question: 'Of Spain?', answers: [], is_impossible: true },
              { id: qa.id, question: 'Clash', answers: [] },
            ],
          },
        ],
      },
    ],
  };
  const report = importDataset(ds, incoming);
  assert.equal(report.added, 2);
  assert.equal(report.conflicts.length, 1);
  assert.match(report.conflicts[0]!, /q1/);
  assert.equal(importDataset(ds, incoming).duplicates, 2);
  const v1 = exportDataset(ds, '1.1');
  assert.equal(v1.version, '1.1');
  const v1ids = v1.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)));
  assert.deepEqual(v1ids.sort(), ['q1', 'x1']);
  assert.equal(countDataset(ds).questions, 3);
});

test('replacing the whole document with the same text (revert, formatter) keeps the passage and its answers', () => {
  const { ds } = annotated();
  applyDocumentChanges(ds, 'docs/guide.md', [{ offset: 0, deletedLength: doc.length, insertedText: doc }], doc);
  const [entry] = listEntries(ds);
  assert.equal(entry!.stale, false);
  assert.equal(doc.slice(entry!.answers[0]!.documentStart, entry!.answers[0]!.documentEnd), 'WordPiece units');
  assert.equal(entry!.passageStart, 9);
});

test('undoing an edit of the answer text makes the question fresh again', () => {
  const { ds } = annotated();
  const at = doc.indexOf('Piece');
  const edited = doc.slice(0, at) + 'Part' + doc.slice(at + 5);
  applyDocumentChanges(ds, 'docs/guide.md', [{ offset: at, deletedLength: 5, insertedText: 'Part' }], edited);
  assert.equal(listEntries(ds)[0]!.stale, true);
  applyDocumentChanges(ds, 'docs/guide.md', [{ offset: at, deletedLength: 4, insertedText: 'Piece' }], doc);
  assert.equal(listEntries(ds)[0]!.stale, false);
});

test('the panel shows a short passage whole, and a long one cut at a word with "…"', () => {
  const { ds, clock } = annotated();
  assert.equal(listEntries(ds)[0]!.passagePreview, 'The tokenizer splits words into WordPiece units.');
  const long = `${'Tides rise and fall twice a day. '.repeat(8)}The end.`;
  addQuestion(ds, { path: 'docs/long.md', documentText: long, selection: selectionOf(long, 'The end'), question: 'How does it end?' }, clock);
  const preview = listEntries(ds).find((e) => e.path === 'docs/long.md')!.passagePreview;
  assert.ok(preview.endsWith('…'), preview);
  assert.ok(preview.length <= 161, `${preview.length} characters`);
  assert.ok(long.startsWith(preview.slice(0, -1)), 'the preview is the start of the passage');
  assert.match(preview.slice(0, -1), /\S$/, 'cut after a whole word');
  assert.ok(/\s/.test(long[preview.length - 1]!), 'the cut falls at a space');
});

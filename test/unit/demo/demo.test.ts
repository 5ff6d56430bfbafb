/**
 * The demo `npm start` opens: its documents cover every kind generation reads, its dataset is built
 * from the hand-written questions and up to date, every answer is the exact text at its offset, each
 * document with any of its questions fits one window of the demo's settings (so asking about a file
 * reads the very window training saw), and the demo model is created from the repository alone.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { formatOf } from '../../../src/engine/generate/formats';
import { discoverFiles, generateFromFiles } from '../../../src/engine/generate';
import { loadTokenizer } from '../../../src/engine/tokenizer/load';
import { listEntries, sha256, type SpanTuneParagraph } from '../../../src/extension/logic/workspace-dataset';
import { buildDemoDataset, datasetText, readDemoQuestions } from '../../../scripts/demo/dataset';
import { checkDemoModel, createDemoModel } from '../../../scripts/demo/model';
import { demoDatasetFile, demoDocuments, demoVocabularyFile, demoWorkspaceDir } from '../../../scripts/demo/paths';
import { buildVocabulary, demoTexts } from '../../../scripts/demo/vocabulary';
import { DEMO_MODEL_PATH, demoSettings, prepareDemoWorkspace } from '../../../scripts/demo/workspace';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'spantune-demo-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('the demo documents', () => {
  test('are Markdown, plain text, reStructuredText, AsciiDoc, HTML and code with doc comments', () => {
    const kinds = new Set(demoDocuments.map((file) => formatOf(file)?.format));
    assert.deepEqual([...kinds].sort(), ['asciidoc', 'code', 'html', 'markdown', 'rst', 'text']);
    for (const file of demoDocuments) assert.ok(existsSync(path.join(demoWorkspaceDir, file)), file);
  });

  test('give generation something to work with in every file', async () => {
    const { files } = await discoverFiles(['.'], { cwd: demoWorkspaceDir });
    assert.deepEqual(files.map((f) => f.path).sort(), [...demoDocuments].sort(), 'every document, and only those, is read');
    const { dataset, stats } = await generateFromFiles(files, { negatives: 0, maxPerPassage: 10, seed: 1 });
    const filesWithPairs = new Set(dataset.data.filter((a) => a.paragraphs.some((p) => p.qas.length > 0)).map((a) => a.title));
    assert.ok(stats.pairs >= 30, `${stats.pairs} generated pairs`);
    assert.ok(filesWithPairs.size >= demoDocuments.length - 3, `pairs from ${[...filesWithPairs].join(', ')}`);
  });
});

describe('the demo dataset', () => {
  test('is what scripts/demo/dataset.ts builds from demo/questions.json (run it after editing either)', () => {
    assert.equal(readFileSync(demoDatasetFile, 'utf8'), datasetText(buildDemoDataset()));
  });

  test('holds every question once, each answer the exact text of its document at its offset', () => {
    const questions = readDemoQuestions();
    const dataset = JSON.parse(readFileSync(demoDatasetFile, 'utf8'));
    const entries = listEntries(dataset);
    assert.equal(entries.length, questions.length);
    assert.equal(new Set(questions.map((q) => q.question)).size, questions.length, 'no question twice');
    for (const article of dataset.data) {
      for (const paragraph of article.paragraphs as SpanTuneParagraph[]) {
        const text = readFileSync(path.join(demoWorkspaceDir, paragraph.source!.path), 'utf8');
        assert.equal(paragraph.context, text, `${paragraph.source!.path}: the whole document is the context`);
        assert.equal(paragraph.source!.sha256, sha256(text));
      }
    }
    for (const entry of entries) {
      const text = readFileSync(path.join(demoWorkspaceDir, entry.path!), 'utf8');
      for (const answer of entry.answers) assert.equal(text.slice(answer.documentStart, answer.documentEnd), answer.text, entry.question);
    }
    const validation = entries.filter((e) => e.split === 'validation').length;
    const train = entries.filter((e) => e.split === 'train' && !e.isImpossible).length;
    assert.ok(train >= 80 && validation >= 20, `${train} training and ${validation} validation questions`);
    assert.ok(entries.some((e) => e.isImpossible), 'some questions have no answer in their document');
  });

  test('each document and any of its questions fit one window of the demo settings', async () => {
    const modelDir = path.join(scratch, 'model-for-windows');
    await createDemoModel(modelDir);
    const tokenizer = await loadTokenizer(modelDir);
    const maxSeqLength = demoSettings()['spantune.maxSeqLength'] as number;
    for (const question of readDemoQuestions()) {
      const tokens = tokenizer.encode(question.question).ids.length + tokenizer.encode(readFileSync(path.join(demoWorkspaceDir, question.file), 'utf8')).ids.length + 3;
      assert.ok(tokens <= maxSeqLength, `${question.file} + "${question.question}": ${tokens} tokens > ${maxSeqLength}`);
    }
  });
});

describe('the demo model', () => {
  test('has a vocabulary built from the demo texts (run scripts/demo/vocabulary.ts after editing them)', () => {
    assert.deepEqual(readFileSync(demoVocabularyFile, 'utf8').trimEnd().split('\n'), buildVocabulary(demoTexts()));
  });

  test('tokenizes every word of the demo as one token, and any other word into pieces, never [UNK]', async () => {
    const modelDir = path.join(scratch, 'model-for-tokens');
    await createDemoModel(modelDir);
    const tokenizer = await loadTokenizer(modelDir);
    const unk = tokenizer.tokenToId('[UNK]');
    for (const text of demoTexts()) assert.ok(!tokenizer.encode(text).ids.includes(unk!), text.slice(0, 60));
    assert.equal(tokenizer.encode('glossary').ids.length, 1);
    const other = tokenizer.encode('Zyxwvut quokkas');
    assert.ok(!other.ids.includes(unk!) && other.ids.length > 2, 'unknown words split into characters');
  });

  test('is created the same from the repository alone, and prepareDemoWorkspace makes and checks it', async () => {
    const a = path.join(scratch, 'a');
    const b = path.join(scratch, 'b');
    await createDemoModel(a);
    await createDemoModel(b);
    assert.ok(readFileSync(path.join(a, 'model.safetensors')).equals(readFileSync(path.join(b, 'model.safetensors'))), 'seeded weights');
    await checkDemoModel(a);
    const workspace = path.join(scratch, 'workspace');
    const first = await prepareDemoWorkspace(workspace);
    assert.equal(first.createdModel, true);
    assert.equal(first.modelDir, path.join(workspace, DEMO_MODEL_PATH));
    const again = await prepareDemoWorkspace(workspace);
    assert.equal(again.createdModel, false, 'a usable model is kept');
    rmSync(path.join(workspace, DEMO_MODEL_PATH, 'model.safetensors'));
    assert.equal((await prepareDemoWorkspace(workspace)).createdModel, true, 'a broken model is made again');
  });
});

/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { GenerateReport } from '../../src/extension/commands/generate';
import type { DatasetPanel } from '../../src/extension/webviews/dataset-panel';
import { activateSpanTune, workspaceFile } from './helpers';

const GLOSSARY = [
  '# Glossary',
  '',
  'A checkpoint is a folder that holds the weights, the configuration and the tokenizer files of a model.',
  '',
  'The learning rate is the size of each optimizer step. SpanTune uses a learning rate of 3e-5 by default.',
  '',
  '## Sequence length',
  '',
  'The maximum sequence length is 384 tokens. Longer passages are split into windows with a stride of 128 tokens.',
  '',
].join('\n');

type Qa = { id: string; question: string; origin: string; reviewed: boolean; generator?: string; is_impossible: boolean; answers: { text: string; answer_start: number }[] };
type Paragraph = { context: string; source?: { path: string; start: number; end: number }; qas: Qa[] };

async function glossaryParagraphs(): Promise<Paragraph[]> {
  const saved = JSON.parse(await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8'));
  return (saved.data as { paragraphs: Paragraph[] }[]).flatMap((a) => a.paragraphs).filter((p) => p.source?.path === 'docs/glossary.md');
}

suite('Generate QA Pairs from Workspace', () => {
  const file = () => workspaceFile('docs/glossary.md');

  suiteSetup(async () => {
    await writeFile(file().fsPath, GLOSSARY);
    await vscode.workspace.getConfiguration('spantune').update('generate.negatives', 0.5, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('spantune').update('generate.negatives', undefined, vscode.ConfigurationTarget.Workspace);
    await rm(file().fsPath, { force: true });
  });

  test('adds generated, unreviewed pairs whose answers are the file text at their offsets', async () => {
    await activateSpanTune();
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.ok(report, 'the command reports what it did');
    assert.ok(report.added >= 3, `${report.added} pairs added`);
    assert.ok(report.stats.negatives >= 1, 'unanswerable pairs for spantune.generate.negatives = 0.5');
    const paragraphs = await glossaryParagraphs();
    const qas = paragraphs.flatMap((p) => p.qas);
    assert.equal(qas.length, report.added);
    let answered = 0;
    for (const paragraph of paragraphs) {
      const source = paragraph.source!;
      assert.equal(GLOSSARY.slice(source.start, source.end), paragraph.context, 'the passage is the file text at its range');
      for (const qa of paragraph.qas) {
        assert.equal(qa.origin, 'generated');
        assert.equal(qa.reviewed, false);
        assert.ok(qa.generator, 'the generator is named');
        for (const answer of qa.answers) {
          const at = source.start + answer.answer_start;
          assert.equal(GLOSSARY.slice(at, at + answer.text.length), answer.text, `answer of "${qa.question}"`);
          answered++;
        }
      }
    }
    assert.ok(answered >= 2);
    assert.ok(qas.some((q) => q.is_impossible && q.answers.length === 0));
  });

  test('running it again adds no duplicates', async () => {
    const before = (await glossaryParagraphs()).flatMap((p) => p.qas).length;
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.equal(report?.added, 0);
    assert.equal(report?.duplicates, before);
    assert.equal((await glossaryParagraphs()).flatMap((p) => p.qas).length, before);
  });

  test('the Dataset panel accepts one pair and rejects the rest in bulk; training leaves unreviewed pairs out', async () => {
    const api = await activateSpanTune();
    const panel = await vscode.commands.executeCommand<DatasetPanel>('spantune.openDataset');
    assert.ok(panel, 'the panel opened');
    const ids = (await glossaryParagraphs()).flatMap((p) => p.qas.map((q) => q.id));
    const { buildTrainingSets } = await import('../../src/extension/logic/workspace-dataset');
    const trainingIds = (includeUnreviewed: boolean) =>
      buildTrainingSets(api.store!.dataset, { includeUnreviewed, validationFraction: 0 }).train.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)));
    assert.ok(!trainingIds(false).some((id) => ids.includes(id)), 'unreviewed pairs are not trained on');
    assert.ok(ids.every((id) => trainingIds(true).includes(id)), 'unless spantune.includeUnreviewed');

    await panel.handle({ type: 'review', id: ids[0]!, accept: true });
    await panel.handle({ type: 'reviewMany', ids: ids.slice(1), accept: false });
    let left = (await glossaryParagraphs()).flatMap((p) => p.qas);
    assert.deepEqual(left.map((q) => [q.id, q.reviewed]), [[ids[0], true]]);
    assert.ok(trainingIds(false).includes(ids[0]!), 'an accepted pair is trained on');

    await panel.handle({ type: 'delete', id: ids[0]! });
    left = (await glossaryParagraphs()).flatMap((p) => p.qas);
    assert.equal(left.length, 0);
    panel.panel.dispose();
  });
});

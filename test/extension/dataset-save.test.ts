/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { DatasetStore } from '../../src/extension/dataset-store';
import { listEntries } from '../../src/extension/logic/workspace-dataset';
import { activateSpanTune, selectText, workspaceFile } from './helpers';

function answerOf(store: DatasetStore, id: string) {
  const entry = listEntries(store.dataset).find((e) => e.id === id);
  assert.ok(entry, `question ${id} is in memory`);
  return entry.answers[0]!;
}

/** Saving fails while a folder stands where the dataset file was (root ignores permissions, so no chmod). */
async function blockSaving(file: string): Promise<() => Promise<void>> {
  await rename(file, `${file}.aside`);
  await mkdir(file);
  let blocked = true;
  return async () => {
    if (!blocked || !existsSync(`${file}.aside`)) return;
    blocked = false;
    await rm(file, { recursive: true, force: true });
    await rename(`${file}.aside`, file);
  };
}

suite('A dataset save that fails', () => {
  const file = () => workspaceFile('.spantune/dataset.json').fsPath;

  test('is shown, retried, and never loses the moves held in memory', async () => {
    const store = (await activateSpanTune()).store!;
    await store.flush();
    const editor = await selectText('docs/training.md', 'AdamW');
    const before = answerOf(store, 'seed-optimizer').documentStart!;
    const unblock = await blockSaving(file());
    try {
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'A first new line.\n'));
      await store.flush(); // the debounced save, now rather than after its timer
      assert.ok(store.saveProblem, 'the failed save is reported');
      assert.ok(store.hasUnsavedChanges, 'memory holds changes the file lacks');
      assert.equal(answerOf(store, 'seed-optimizer').documentStart, before + 18);
      // The next change must not reload the (unchanged) file over the moves in memory.
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'Second.\n'));
      await store.flush(); // its debounced save runs, and fails
      const moved = answerOf(store, 'seed-optimizer');
      assert.equal(moved.documentStart, before + 26);
      assert.equal(editor.document.getText().slice(moved.documentStart, moved.documentEnd), 'AdamW');
      assert.ok(store.saveProblem, 'still not saved');
      // A command that changes the dataset still works; its change waits in memory too.
      await selectText('docs/training.md', 'linear warmup');
      const added = await vscode.commands.executeCommand<string>('spantune.addQuestion', 'What kind of warmup is used?');
      assert.ok(added && listEntries(store.dataset).some((e) => e.id === added));
      await unblock();
      await store.flush(); // the retry, without waiting for its timer
      assert.equal(store.saveProblem, undefined);
      assert.equal(store.hasUnsavedChanges, false);
      const saved = JSON.parse(await readFile(file(), 'utf8'));
      type Saved = { source: { start: number }; qas: { id: string; answers: { answer_start: number }[] }[] };
      const paragraphs = (saved.data as { paragraphs: Saved[] }[]).flatMap((a) => a.paragraphs);
      const passage = paragraphs.find((p) => p.qas.some((q) => q.id === 'seed-optimizer'))!;
      const answerStart = passage.qas.find((q) => q.id === 'seed-optimizer')!.answers[0]!.answer_start;
      assert.equal(passage.source.start + answerStart, before + 26, 'both moves are saved');
      assert.ok(paragraphs.some((p) => p.qas.some((q) => q.id === added)), 'the question added meanwhile is saved');
      assert.equal(answerOf(store, 'seed-optimizer').documentStart, before + 26);
    } finally {
      await unblock();
      await selectText('docs/training.md', 'AdamW');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await store.flush();
    }
  });

  test('a file changed outside meanwhile is not loaded over unsaved changes: the user picks a version', async () => {
    const store = (await activateSpanTune()).store!;
    await store.flush();
    const original = await readFile(file(), 'utf8');
    const editor = await selectText('docs/training.md', 'AdamW');
    const before = answerOf(store, 'seed-optimizer').documentStart!;
    const unblock = await blockSaving(file());
    try {
      await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'Moved.\n'));
      await store.flush();
      assert.ok(store.saveProblem, 'the failed save is reported');
      // Someone else writes another version meanwhile (another tool, a git checkout).
      const theirs = JSON.parse(original);
      theirs.data[0].paragraphs[0].qas.push({ id: 'theirs', question: 'Whose is this?', answers: [], is_impossible: true });
      await rm(file(), { recursive: true });
      await writeFile(file(), `${JSON.stringify(theirs, null, 2)}\n`);
      await rm(`${file()}.aside`);
      await store.load(); // what the file watcher does when it reports the change
      assert.ok(store.conflict, 'the conflict is noticed');
      assert.equal(answerOf(store, 'seed-optimizer').documentStart, before + 7, 'memory kept its move');
      assert.ok(!listEntries(store.dataset).some((e) => e.id === 'theirs'), 'the other version was not loaded over it');
      assert.match(await readFile(file(), 'utf8'), /"theirs"/, 'nor was it overwritten before the user chose');
      await store.resolveConflict('memory');
      assert.equal(store.conflict, false);
      assert.doesNotMatch(await readFile(file(), 'utf8'), /"theirs"/);
      assert.equal(answerOf(store, 'seed-optimizer').documentStart, before + 7);
    } finally {
      await unblock();
      if (store.conflict) await store.resolveConflict('memory');
      await selectText('docs/training.md', 'AdamW');
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await store.flush();
    }
  });
});

/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { listEntries } from '../../src/extension/logic/workspace-dataset';
import { activateSpanTune, selectText, workspaceFile } from './helpers';

suite('Annotating in the editor', () => {
  test('activation is timed from before its bundle loads, and loads the seed dataset', async () => {
    const api = await activateSpanTune();
    console.log(`[spantune-test] SpanTune activation took ${api.activationMs.toFixed(1)} ms from before its bundle loaded (${api.bundleLoadMs.toFixed(1)} ms loading it)`);
    assert.ok(api.bundleLoadMs > 0, 'the load of the bundle is timed (entry.ts)');
    // How long it takes is a figure to print, not a pass mark: a busy machine would make a limit flaky.
    assert.ok(api.activationMs > api.bundleLoadMs, `activation (${api.activationMs} ms) includes the bundle's load (${api.bundleLoadMs} ms)`);
    assert.equal(api.store?.state.kind, 'ok');
    const ids = listEntries(api.store!.dataset).map((e) => e.id);
    assert.ok(ids.includes('seed-decay') && ids.includes('seed-optimizer'), `seed questions loaded: ${ids.join(', ')}`);
  });

  test('every command package.json contributes is registered', async () => {
    const contributed = (vscode.extensions.getExtension('spantune.spantune')!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 20, `${contributed.length} contributed commands`);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((id) => !registered.has(id)), [], 'contributed but not registered');
  });

  test('Add Question for Selection saves a SQuAD pair for the selected span', async () => {
    const api = await activateSpanTune();
    await selectText('docs/tokenizer.md', 'WordPiece units');
    const id = await vscode.commands.executeCommand<string>('spantune.addQuestion', 'What does the tokenizer split words into?');
    assert.ok(id, 'the command returns the new question id');
    const saved = JSON.parse(await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8'));
    type Paragraph = { context: string; source: { path: string }; qas: { id: string; question: string; origin: string; answers: { text: string; answer_start: number }[] }[] };
    const paragraph = (saved.data as { paragraphs: Paragraph[] }[]).flatMap((a) => a.paragraphs).find((p) => p.qas.some((q) => q.id === id))!;
    const qa = paragraph.qas.find((q) => q.id === id)!;
    assert.equal(qa.question, 'What does the tokenizer split words into?');
    assert.equal(paragraph.context.slice(qa.answers[0].answer_start, qa.answers[0].answer_start + qa.answers[0].text.length), 'WordPiece units');
    assert.equal(paragraph.source.path, 'docs/tokenizer.md');
    assert.equal(qa.origin, 'human');
    assert.ok(listEntries(api.store!.dataset).some((e) => e.id === id));
  });

  test('typing before an answer moves it; editing the answer marks it stale', async () => {
    const api = await activateSpanTune();
    const editor = await selectText('docs/training.md', 'AdamW');
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'Intro line.\n'));
    const moved = listEntries(api.store!.dataset).find((e) => e.id === 'seed-optimizer')!;
    assert.equal(editor.document.getText().slice(moved.answers[0]!.documentStart, moved.answers[0]!.documentEnd), 'AdamW');
    assert.equal(moved.stale, false);
    const at = editor.document.getText().indexOf('AdamW');
    await editor.edit((b) => b.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 5)), 'Adam'));
    const stale = listEntries(api.store!.dataset).find((e) => e.id === 'seed-optimizer')!;
    assert.equal(stale.stale, true);
    await api.store!.flush();
    const saved = await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8');
    assert.match(saved, /"stale": true/);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await api.store!.flush(); // the revert moved the passage back: saved now, not 400 ms into the next test
  });

  test('a malformed dataset file is reported and never overwritten', async () => {
    const store = (await activateSpanTune()).store!;
    // Moves still waiting to be saved would make the broken file a conflict (memory vs file) instead.
    await store.flush();
    assert.equal(store.hasUnsavedChanges, false, 'nothing is left to save when the file breaks');
    const file = workspaceFile('.spantune/dataset.json');
    const good = await readFile(file.fsPath, 'utf8');
    const broken = '{\n  "version": "v2.0",\n  "data": [\n    { "paragraphs": 5 }\n  ]\n}\n';
    await vscode.workspace.fs.writeFile(file, Buffer.from(broken));
    // Whether or not the file watcher has reported the change yet, a change to the dataset reads the file first.
    await selectText('docs/tokenizer.md', 'Lower-casing');
    const added = await vscode.commands.executeCommand<string | undefined>('spantune.addQuestion', 'What happens first?');
    assert.equal(added, undefined, 'no question is added to a dataset that cannot be read');
    const state = store.state;
    assert.ok(state.kind === 'broken', `the store reports the file: ${state.kind}`);
    assert.match(state.problem, /dataset\.json:4:\d+: data\[0\]\.paragraphs must be an array/);
    assert.equal(await readFile(file.fsPath, 'utf8'), broken, 'the broken file is left as it was');
    await vscode.workspace.fs.writeFile(file, Buffer.from(good));
    await vscode.commands.executeCommand('spantune.refreshViews'); // the watcher may have reloaded it already
    assert.equal(store.state.kind, 'ok');
  });
});

/**
 * Owns the workspace dataset file: loads it, saves it atomically after each change, follows external
 * edits through a FileSystemWatcher, and moves annotated spans with document edits. A malformed file
 * is reported (line and reason) and never overwritten: every change is refused until it parses.
 */
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../engine/errors';
import { writeFileAtomic } from '../engine/fs/atomic';
import type { SquadDataset } from '../engine/squad/types';
import { parseDatasetText } from './logic/dataset-file';
import { applyDocumentChanges, emptyDataset, reconcileDocument } from './logic/workspace-dataset';
import { relativeDocumentPath, resolveInWorkspace } from './settings';

export type DatasetState = { kind: 'ok' } | { kind: 'missing' } | { kind: 'broken'; problem: string; line?: number };

export class DatasetStore implements vscode.Disposable {
  dataset: SquadDataset = emptyDataset();
  state: DatasetState = { kind: 'missing' };
  readonly filePath: string;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private lastText: string | undefined;
  private pendingSave: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    relativePath: string,
    private readonly log: (message: string) => void,
  ) {
    this.filePath = resolveInWorkspace(folder, relativePath);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, relativePath));
    const reload = () => void this.reloadIfChangedOutside();
    this.disposables.push(
      watcher,
      watcher.onDidChange(reload),
      watcher.onDidCreate(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeTextDocument((e) => this.followEdits(e)),
      vscode.workspace.onDidOpenTextDocument((d) => this.reconcile(d)),
      this.changed,
    );
  }

  get label(): string {
    return path.relative(this.folder.uri.fsPath, this.filePath).split(path.sep).join('/');
  }

  /** Every read and write of the file runs in this queue, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  load(): Promise<void> {
    return this.exclusive(() => this.loadNow());
  }

  private async loadNow(): Promise<void> {
    this.cancelPendingSave();
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.dataset = emptyDataset();
      this.state = { kind: 'missing' };
      this.lastText = undefined;
      this.changed.fire();
      return;
    }
    this.lastText = text;
    try {
      this.dataset = parseDatasetText(text, this.label);
      this.state = { kind: 'ok' };
      for (const document of vscode.workspace.textDocuments) this.reconcile(document);
    } catch (error) {
      const problem = (error as Error).message;
      const line = Number(/:(\d+):\d+:/.exec(problem)?.[1]) || undefined;
      this.state = { kind: 'broken', problem, line };
      this.log(`Dataset not loaded: ${problem}`);
      void vscode.window.showErrorMessage(`SpanTune: ${problem}. SpanTune will not change the file until it is fixed.`, 'Open File').then((choice) => {
        if (choice) void this.revealProblem();
      });
    }
    this.changed.fire();
  }

  async revealProblem(): Promise<void> {
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(this.filePath));
    if (this.state.kind === 'broken' && this.state.line) {
      const position = new vscode.Position(this.state.line - 1, 0);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position));
    }
  }

  /** Runs a change on the dataset and saves it; refused while the file is malformed. */
  mutate<T>(change: (dataset: SquadDataset) => T): Promise<T> {
    return this.exclusive(() => this.mutateNow(change));
  }

  private async mutateNow<T>(change: (dataset: SquadDataset) => T): Promise<T> {
    // A change made outside that the watcher has not reported yet is loaded first, never overwritten.
    if (await this.changedOnDisk()) await this.loadNow();
    if (this.state.kind === 'broken') {
      throw new UserError(`${this.state.problem} — fix the dataset file first (SpanTune does not overwrite a file it cannot read)`);
    }
    const result = change(this.dataset);
    await this.write();
    this.changed.fire();
    return result;
  }

  private async readDisk(): Promise<string | undefined> {
    try {
      return await readFile(this.filePath, 'utf8');
    } catch {
      return undefined;
    }
  }

  private async changedOnDisk(): Promise<boolean> {
    return (await this.readDisk()) !== this.lastText;
  }

  private async write(): Promise<void> {
    this.cancelPendingSave();
    const text = JSON.stringify(this.dataset, null, 2) + '\n';
    this.lastText = text;
    await mkdir(path.dirname(this.filePath), { recursive: true });
    await writeFileAtomic(this.filePath, text);
    this.state = { kind: 'ok' };
  }

  private cancelPendingSave(): void {
    if (this.pendingSave) clearTimeout(this.pendingSave);
    this.pendingSave = undefined;
  }

  /** Saves span moves after a pause in typing, unless the file changed outside meanwhile. */
  private scheduleSave(): void {
    this.cancelPendingSave();
    this.pendingSave = setTimeout(() => void this.exclusive(() => this.saveIfUnchangedOutside()), 400);
  }

  private async saveIfUnchangedOutside(): Promise<void> {
    this.pendingSave = undefined;
    try {
      if (await this.changedOnDisk()) return await this.loadNow();
      if (this.state.kind === 'ok') await this.write();
    } catch (error) {
      this.log(`Could not save the dataset: ${(error as Error).message}`);
    }
  }

  /** Waits for a pending save (tests, deactivation). */
  flush(): Promise<void> {
    return this.exclusive(async () => {
      if (this.pendingSave) await this.saveIfUnchangedOutside();
    });
  }

  private reloadIfChangedOutside(): Promise<void> {
    return this.exclusive(async () => {
      if (!(await this.changedOnDisk())) return;
      this.log('Dataset file changed outside SpanTune; reloading');
      await this.loadNow();
    });
  }

  private followEdits(event: vscode.TextDocumentChangeEvent): void {
    if (this.state.kind !== 'ok' || event.contentChanges.length === 0) return;
    const rel = relativeDocumentPath(this.folder, event.document.uri);
    if (!rel || path.resolve(event.document.uri.fsPath) === path.resolve(this.filePath)) return;
    const changes = event.contentChanges.map((c) => ({ offset: c.rangeOffset, deletedLength: c.rangeLength, insertedText: c.text }));
    if (applyDocumentChanges(this.dataset, rel, changes, event.document.getText())) {
      this.changed.fire();
      this.scheduleSave();
    }
  }

  /** A document opened (or the dataset loaded): passages moved or removed outside VS Code are found. */
  private reconcile(document: vscode.TextDocument): void {
    if (this.state.kind !== 'ok') return;
    const rel = relativeDocumentPath(this.folder, document.uri);
    if (!rel) return;
    const { moved, staled } = reconcileDocument(this.dataset, rel, document.getText());
    if (moved + staled === 0) return;
    this.log(`${rel}: ${moved} passage(s) moved, ${staled} question(s) now stale`);
    this.changed.fire();
    this.scheduleSave();
  }

  dispose(): void {
    if (this.pendingSave) void this.exclusive(() => this.saveIfUnchangedOutside());
    for (const d of this.disposables) d.dispose();
  }
}

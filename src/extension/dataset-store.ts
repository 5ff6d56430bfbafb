/**
 * Owns the workspace dataset file: loads it, saves it atomically after each change, follows external
 * edits through a FileSystemWatcher, and moves annotated spans with document edits. A malformed file
 * is reported (line and reason) and never overwritten: every change is refused until it parses.
 *
 * Memory is the truth while it holds changes the file lacks: a save that fails is shown (message,
 * status bar) and retried, and the file is never reloaded over those changes; when the file changed
 * outside meanwhile, the user chooses which version to keep.
 */
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../engine/errors';
import { writeFileAtomic } from '../engine/fs/atomic';
import type { SquadDataset } from '../engine/squad/types';
import { parseDatasetText } from './logic/dataset-file';
import { output } from './output';
import { applyDocumentChanges, emptyDataset, reconcileDocument } from './logic/workspace-dataset';
import { relativeDocumentPath, resolveInWorkspace } from './settings';

export type DatasetState = { kind: 'ok' } | { kind: 'missing' } | { kind: 'broken'; problem: string; line?: number };

/** How the file on disk compares with what SpanTune last read or wrote. */
type DiskCheck = 'same' | 'changed' | 'unreadable';

/** Waits between retries of a failed save; the last one repeats. */
export const SAVE_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000];
const KEEP_MINE = "Keep SpanTune's Changes";
const LOAD_FILE = 'Load the File';

export class DatasetStore implements vscode.Disposable {
  dataset: SquadDataset = emptyDataset();
  state: DatasetState = { kind: 'missing' };
  readonly filePath: string;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  /** The file's text as SpanTune last read or wrote it. */
  private lastText: string | undefined;
  /** Changes made to memory so far, and how many of them the file has (a save that took a while may miss the latest). */
  private changeCount = 0;
  private savedChangeCount = 0;
  /** The last save failed with this message (cleared by the next save that succeeds). */
  saveProblem: string | undefined;
  private failedSaves = 0;
  /** The file changed outside while memory held unsaved changes: the user picks a version. */
  conflict = false;
  private pendingSave: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly statusItem = vscode.window.createStatusBarItem('spantune.datasetSave', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    relativePath: string,
    private readonly log: (message: string) => void,
  ) {
    this.filePath = resolveInWorkspace(folder, relativePath);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, relativePath));
    const reload = () => void this.reloadIfChangedOutside();
    this.statusItem.name = 'SpanTune Dataset Save';
    this.statusItem.command = 'spantune.saveDataset';
    this.statusItem.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    this.disposables.push(
      watcher,
      watcher.onDidChange(reload),
      watcher.onDidCreate(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeTextDocument((e) => this.followEdits(e)),
      vscode.workspace.onDidOpenTextDocument((d) => this.reconcile(d)),
      this.changed,
      this.statusItem,
    );
  }

  get label(): string {
    return path.relative(this.folder.uri.fsPath, this.filePath).split(path.sep).join('/');
  }

  /** Whether memory holds changes the file does not have (a failed save, or a conflict). */
  get hasUnsavedChanges(): boolean {
    return this.unsaved;
  }

  /** Every read and write of the file runs in this queue, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Reads the file (activation, Refresh); with unsaved changes in memory, only a changed file is offered. */
  load(): Promise<void> {
    return this.exclusive(() => (this.unsaved ? this.reloadNowIfChanged() : this.loadNow()));
  }

  private async loadNow(): Promise<void> {
    let text: string | undefined;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      // An unreadable file (a folder in its place, no permission) changes nothing in memory.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    // What memory held is replaced by the file now: nothing is left to save or retry.
    this.cancelPendingSave();
    this.cancelRetry();
    this.savedChangeCount = this.changeCount;
    this.conflict = false;
    this.saveProblem = undefined;
    this.failedSaves = 0;
    this.updateStatus();
    if (text === undefined) {
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

  /**
   * Runs a change on the dataset and saves it; refused while the file is malformed. A save that fails
   * does not fail the change: it stays in memory, is shown, and is saved again later.
   */
  mutate<T>(change: (dataset: SquadDataset) => T): Promise<T> {
    return this.exclusive(() => this.mutateNow(change));
  }

  private async mutateNow<T>(change: (dataset: SquadDataset) => T): Promise<T> {
    // A change made outside that the watcher has not reported yet is loaded first, never overwritten.
    if ((await this.checkDisk()) === 'changed') {
      if (this.unsaved) this.reportConflict();
      else await this.loadNow();
    }
    if (this.state.kind === 'broken') {
      throw new UserError(`${this.state.problem} — fix the dataset file first (SpanTune does not overwrite a file it cannot read)`);
    }
    const result = change(this.dataset);
    this.state = { kind: 'ok' };
    this.markUnsaved();
    this.changed.fire();
    await this.save();
    return result;
  }

  private async checkDisk(): Promise<DiskCheck> {
    try {
      return (await readFile(this.filePath, 'utf8')) === this.lastText ? 'same' : 'changed';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.lastText === undefined ? 'same' : 'changed';
      return 'unreadable';
    }
  }

  /** Writes memory to the file; a failure is reported and retried, never thrown. */
  private async save(): Promise<void> {
    this.cancelPendingSave();
    this.cancelRetry();
    if (this.conflict) return;
    const changesSaved = this.changeCount;
    const text = JSON.stringify(this.dataset, null, 2) + '\n';
    try {
      await mkdir(path.dirname(this.filePath), { recursive: true });
      await writeFileAtomic(this.filePath, text);
    } catch (error) {
      this.saveFailed((error as Error).message);
      return;
    }
    this.lastText = text;
    // An edit that moved a span while the file was being written is not in it: its own save is scheduled.
    this.savedChangeCount = changesSaved;
    if (this.saveProblem !== undefined) {
      this.log(`Dataset saved again after ${this.failedSaves} failed save(s)`);
      void vscode.window.showInformationMessage(`SpanTune: ${this.label} is saved again.`);
    }
    this.saveProblem = undefined;
    this.failedSaves = 0;
    this.updateStatus();
  }

  private saveFailed(problem: string): void {
    const first = this.saveProblem === undefined;
    this.saveProblem = problem;
    this.failedSaves++;
    const delay = SAVE_RETRY_DELAYS_MS[Math.min(this.failedSaves, SAVE_RETRY_DELAYS_MS.length) - 1]!;
    this.log(`Could not save the dataset (attempt ${this.failedSaves}; trying again in ${delay / 1000} s): ${problem}`);
    this.retryTimer = setTimeout(() => void this.exclusive(() => this.saveIfUnchangedOutside()), delay);
    this.updateStatus();
    if (first) {
      void vscode.window
        .showWarningMessage(`SpanTune could not save ${this.label}: ${problem}. Your changes are kept, and SpanTune keeps trying to save them.`, 'Retry Now', 'Show Log')
        .then((choice) => {
          if (choice === 'Retry Now') void this.saveNow();
          else if (choice === 'Show Log') output().show();
        });
    }
  }

  /** The file changed outside while memory holds unsaved changes: nothing is written until the user picks. */
  private reportConflict(): void {
    if (this.conflict) return;
    this.conflict = true;
    this.cancelRetry();
    this.log(`${this.label} changed outside SpanTune while SpanTune had unsaved changes; waiting for the user to pick a version`);
    this.updateStatus();
    void this.askAboutConflict();
  }

  private async askAboutConflict(): Promise<void> {
    const choice = await vscode.window.showWarningMessage(
      `SpanTune: ${this.label} changed outside SpanTune while SpanTune had changes not yet saved to it. Which version do you keep?`,
      KEEP_MINE,
      LOAD_FILE,
    );
    if (choice === KEEP_MINE) await this.resolveConflict('memory');
    else if (choice === LOAD_FILE) {
      await this.resolveConflict('file').catch((error: Error) => void vscode.window.showErrorMessage(`SpanTune: cannot read ${this.label}: ${error.message}`));
    }
  }

  /** Ends a conflict: saves memory over the file, or loads the file over memory. */
  resolveConflict(keep: 'memory' | 'file'): Promise<void> {
    return this.exclusive(async () => {
      if (keep === 'file') return this.loadNow();
      this.conflict = false;
      await this.save();
    });
  }

  /** The "Save Dataset Now" command (status bar): saves now, or asks again about a conflict. */
  saveNow(): Promise<void> {
    if (this.conflict) return this.askAboutConflict();
    return this.exclusive(() => this.saveIfUnchangedOutside());
  }

  private updateStatus(): void {
    const problem = this.conflict ? 'the file changed outside SpanTune' : this.saveProblem;
    void vscode.commands.executeCommand('setContext', 'spantune.datasetUnsaved', problem !== undefined);
    if (problem === undefined) return void this.statusItem.hide();
    this.statusItem.text = '$(warning) SpanTune: dataset not saved';
    this.statusItem.tooltip = `${this.label} is not saved: ${problem}. Your changes are kept in memory. Click to ${this.conflict ? 'choose a version' : 'save now'}.`;
    this.statusItem.show();
  }

  /** Memory holds changes that the file does not have yet. */
  private get unsaved(): boolean {
    return this.changeCount !== this.savedChangeCount;
  }

  private markUnsaved(): void {
    this.changeCount++;
  }

  private cancelPendingSave(): void {
    if (this.pendingSave) clearTimeout(this.pendingSave);
    this.pendingSave = undefined;
  }

  private cancelRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** Saves span moves after a pause in typing, unless the file changed outside meanwhile. */
  private scheduleSave(): void {
    this.markUnsaved();
    this.cancelPendingSave();
    this.pendingSave = setTimeout(() => void this.exclusive(() => this.saveIfUnchangedOutside()), 400);
  }

  private async saveIfUnchangedOutside(): Promise<void> {
    // Run early (a flush), this save replaces the timers' own.
    this.cancelPendingSave();
    this.cancelRetry();
    try {
      if ((await this.checkDisk()) === 'changed') return this.unsaved ? this.reportConflict() : await this.loadNow();
      if (this.unsaved && this.state.kind === 'ok') await this.save();
    } catch (error) {
      this.saveFailed((error as Error).message);
    }
  }

  /** Waits for a pending save, or retries a failed one now (tests, deactivation, training). */
  flush(): Promise<void> {
    return this.exclusive(async () => {
      if (this.pendingSave || (this.unsaved && !this.conflict)) await this.saveIfUnchangedOutside();
    });
  }

  private reloadIfChangedOutside(): Promise<void> {
    return this.exclusive(() => this.reloadNowIfChanged());
  }

  private async reloadNowIfChanged(): Promise<void> {
    if ((await this.checkDisk()) !== 'changed') return;
    if (this.unsaved) return this.reportConflict();
    this.log('Dataset file changed outside SpanTune; reloading');
    await this.loadNow();
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
    this.cancelRetry();
    if (this.pendingSave || this.unsaved) void this.exclusive(() => this.saveIfUnchangedOutside());
    for (const d of this.disposables) d.dispose();
  }
}

/** The Dataset panel: every question by file and passage, with search, edit, review and splits. */
import * as vscode from 'vscode';
import type { DatasetStore } from '../dataset-store';
import { acceptPassed, countDataset, deleteQuestion, editQuestion, listEntries, reviewQuestion, reviewQuestions, setSplit, type Split } from '../logic/workspace-dataset';
import { guarded } from '../output';
import { revealAnswer } from '../reveal';
import { webviewHtml, webviewOptions } from './html';

export type DatasetPanelMessage =
  | { type: 'ready' }
  | { type: 'reveal'; id: string; answer?: number }
  | { type: 'edit'; id: string; question?: string; answerText?: string }
  | { type: 'delete'; id: string }
  | { type: 'review'; id: string; accept: boolean }
  | { type: 'reviewMany'; ids: string[]; accept: boolean }
  /** Accept the unreviewed pairs among `ids` (all when absent) that passed the round trip. */
  | { type: 'acceptPassed'; ids?: string[] }
  | { type: 'split'; id: string; split: Split | '' };

export class DatasetPanel {
  private static current: DatasetPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(context: vscode.ExtensionContext, store: DatasetStore, options?: { filter?: string }): DatasetPanel {
    if (DatasetPanel.current) {
      DatasetPanel.current.panel.reveal();
    } else {
      DatasetPanel.current = new DatasetPanel(context, store);
    }
    if (options?.filter) void DatasetPanel.current.panel.webview.postMessage({ type: 'filter', text: options.filter });
    return DatasetPanel.current;
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly store: DatasetStore,
    readonly panel = vscode.window.createWebviewPanel('spantune.dataset', 'SpanTune Dataset', vscode.ViewColumn.Beside, webviewOptions(context.extensionUri)),
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'spantune.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, {
      title: 'SpanTune Dataset',
      script: 'dataset',
      body: '<main id="app" aria-live="polite"><p>Loading the dataset…</p></main>',
    });
    this.disposables.push(
      store.onDidChange(() => this.postState()),
      panel.webview.onDidReceiveMessage(guarded('Dataset panel', (m: DatasetPanelMessage) => this.handle(m))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private postState(): void {
    void this.panel.webview.postMessage({
      type: 'state',
      entries: listEntries(this.store.dataset),
      counts: countDataset(this.store.dataset),
      file: this.store.label,
      problem: this.store.state.kind === 'broken' ? this.store.state.problem : undefined,
    });
  }

  /** Public so that host tests can drive the panel as its webview would. */
  async handle(message: DatasetPanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.postState();
      case 'reveal': {
        const entry = listEntries(this.store.dataset).find((e) => e.id === message.id);
        if (entry) await revealAnswer(this.store.folder, entry, message.answer ?? 0);
        return;
      }
      case 'edit':
        await this.store.mutate((d) => editQuestion(d, message.id, { question: message.question, answerText: message.answerText }));
        return;
      case 'delete':
        await this.store.mutate((d) => deleteQuestion(d, message.id));
        return;
      case 'review':
        await this.store.mutate((d) => reviewQuestion(d, message.id, message.accept));
        return;
      case 'reviewMany':
        await this.store.mutate((d) => reviewQuestions(d, message.ids, message.accept));
        return;
      case 'acceptPassed':
        await this.store.mutate((d) => acceptPassed(d, message.ids));
        return;
      case 'split':
        await this.store.mutate((d) => setSplit(d, message.id, message.split || undefined));
        return;
    }
  }

  private dispose(): void {
    DatasetPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

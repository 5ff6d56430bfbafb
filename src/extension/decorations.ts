/**
 * Shows annotated answers in the editors: a highlight with the questions on hover, a distinct stale
 * mark for answers whose text was edited, and a CodeLens above each annotated passage. Marks beside
 * the text go in the gutter: text injected after an answer would push a wrapped line past the edge.
 */
import * as vscode from 'vscode';
import { listEntries, type QaEntry } from './logic/workspace-dataset';
import type { DatasetStore } from './dataset-store';
import { relativeDocumentPath } from './settings';

export class AnswerDecorations implements vscode.Disposable {
  private readonly answer = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('editor.wordHighlightStrongBackground'),
    border: '1px solid',
    borderColor: new vscode.ThemeColor('editorInfo.foreground'),
    borderRadius: '2px',
    overviewRulerColor: new vscode.ThemeColor('editorInfo.foreground'),
    overviewRulerLane: vscode.OverviewRulerLane.Right,
  });
  private readonly stale: vscode.TextEditorDecorationType;
  /** An answer the model gave in the QA panel. */
  private readonly prediction: vscode.TextEditorDecorationType;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: DatasetStore,
    extensionUri: vscode.Uri,
  ) {
    this.stale = vscode.window.createTextEditorDecorationType({
      textDecoration: 'line-through wavy',
      border: '1px dashed',
      borderColor: new vscode.ThemeColor('editorWarning.foreground'),
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'stale-gutter.svg'),
      gutterIconSize: '80%',
      overviewRulerColor: new vscode.ThemeColor('editorWarning.foreground'),
      overviewRulerLane: vscode.OverviewRulerLane.Right,
    });
    this.prediction = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
      border: '2px solid',
      borderColor: new vscode.ThemeColor('editor.findMatchBorder'),
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'answer-gutter.svg'),
      gutterIconSize: '80%',
      overviewRulerColor: new vscode.ThemeColor('editor.findMatchBorder'),
      overviewRulerLane: vscode.OverviewRulerLane.Full,
    });
    this.disposables.push(
      this.answer,
      this.stale,
      this.prediction,
      store.onDidChange(() => this.refreshAll()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll()),
    );
    this.refreshAll();
  }

  refreshAll(): void {
    const entries = listEntries(this.store.dataset);
    for (const editor of vscode.window.visibleTextEditors) this.refresh(editor, entries);
  }

  private refresh(editor: vscode.TextEditor, entries: QaEntry[]): void {
    const rel = relativeDocumentPath(this.store.folder, editor.document.uri);
    const answers: vscode.DecorationOptions[] = [];
    const stale: vscode.DecorationOptions[] = [];
    if (rel) {
      // One decoration per distinct answer span, with every question it answers in the hover.
      const bySpan = new Map<string, { range: vscode.Range; stale: boolean; lines: string[] }>();
      for (const entry of entries.filter((e) => e.path === rel)) {
        for (const answer of entry.answers) {
          if (answer.documentStart === undefined || answer.documentEnd === undefined) continue;
          const key = `${answer.documentStart}:${answer.documentEnd}:${entry.stale}`;
          const slot = bySpan.get(key) ?? {
            range: new vscode.Range(editor.document.positionAt(answer.documentStart), editor.document.positionAt(answer.documentEnd)),
            stale: entry.stale,
            lines: [],
          };
          const tags = [entry.origin, entry.split, entry.reviewed ? undefined : 'unreviewed'].filter(Boolean).join(', ');
          slot.lines.push(`- ${escapeMarkdown(entry.question)} _(${tags})_${entry.stale ? ` — **stale**: was “${escapeMarkdown(answer.text)}”` : ''}`);
          bySpan.set(key, slot);
        }
      }
      for (const slot of bySpan.values()) {
        const hover = new vscode.MarkdownString(`**SpanTune** — ${slot.stale ? 'stale answer (its text was edited; fix or delete it in the dataset)' : 'answer to'}:\n\n${slot.lines.join('\n')}`);
        (slot.stale ? stale : answers).push({ range: slot.range, hoverMessage: hover });
      }
    }
    editor.setDecorations(this.answer, answers);
    editor.setDecorations(this.stale, stale);
  }

  showPrediction(editor: vscode.TextEditor, range: vscode.Range | undefined, hover?: string): void {
    editor.setDecorations(this.prediction, range ? [{ range, hoverMessage: hover }] : []);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export class PassageCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: DatasetStore) {
    this.subscription = store.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const rel = relativeDocumentPath(this.store.folder, document.uri);
    if (!rel) return [];
    const passages = new Map<number, QaEntry[]>();
    for (const entry of listEntries(this.store.dataset)) {
      if (entry.path !== rel || entry.passageStart === undefined) continue;
      passages.set(entry.passageStart, [...(passages.get(entry.passageStart) ?? []), entry]);
    }
    return [...passages].map(([start, entries]) => {
      const stale = entries.filter((e) => e.stale).length;
      const title = `$(comment-discussion) SpanTune: ${entries.length} question${entries.length === 1 ? '' : 's'}${stale ? `, ${stale} stale` : ''}`;
      const position = document.positionAt(start);
      return new vscode.CodeLens(new vscode.Range(position, position), {
        title,
        command: 'spantune.openDataset',
        arguments: [{ filter: rel }],
        tooltip: entries.map((e) => e.question).join('\n'),
      });
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

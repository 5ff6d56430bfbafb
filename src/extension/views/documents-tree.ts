/** The "Documents" view: annotated files with their question counts, and their questions. */
import * as vscode from 'vscode';
import type { DatasetStore } from '../dataset-store';
import { listEntries, type QaEntry } from '../logic/workspace-dataset';

type Node = { kind: 'file'; path: string; entries: QaEntry[] } | { kind: 'question'; entry: QaEntry };

export class DocumentsTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: DatasetStore) {
    this.subscription = store.onDidChange(() => this.changed.fire());
  }

  getChildren(node?: Node): Node[] {
    if (node?.kind === 'question') return [];
    if (node?.kind === 'file') return node.entries.map((entry) => ({ kind: 'question', entry }));
    const byFile = new Map<string, QaEntry[]>();
    for (const entry of listEntries(this.store.dataset)) {
      const key = entry.path ?? `(imported) ${entry.title ?? 'untitled'}`;
      byFile.set(key, [...(byFile.get(key) ?? []), entry]);
    }
    return [...byFile].sort(([a], [b]) => a.localeCompare(b)).map(([path, entries]) => ({ kind: 'file', path, entries }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'file') {
      const item = new vscode.TreeItem(node.path, vscode.TreeItemCollapsibleState.Collapsed);
      const stale = node.entries.filter((e) => e.stale).length;
      item.description = `${node.entries.length} question${node.entries.length === 1 ? '' : 's'}${stale ? `, ${stale} stale` : ''}`;
      if (!node.path.startsWith('(imported)')) {
        item.resourceUri = vscode.Uri.joinPath(this.store.folder.uri, node.path);
        item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
      }
      item.contextValue = 'spantune.document';
      return item;
    }
    const { entry } = node;
    const item = new vscode.TreeItem(entry.question, vscode.TreeItemCollapsibleState.None);
    item.description = entry.isImpossible ? 'unanswerable' : entry.answers.map((a) => a.text).join(' | ');
    item.iconPath = new vscode.ThemeIcon(entry.stale ? 'warning' : entry.origin === 'generated' && !entry.reviewed ? 'sparkle' : 'comment');
    item.tooltip = `${entry.question}\n${entry.origin}${entry.reviewed ? '' : ', unreviewed'}${entry.split ? `, ${entry.split}` : ''}${entry.stale ? ', stale' : ''}`;
    item.command = { command: 'spantune.openDataset', title: 'Show in Dataset', arguments: [{ filter: entry.question }] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

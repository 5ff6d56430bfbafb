/** Import (merge, with a conflict report) and export of SQuAD v1.1/v2.0 files. */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeSquadFile } from '../../engine/squad/dataset';
import type { DatasetStore } from '../dataset-store';
import { parseDatasetText } from '../logic/dataset-file';
import { exportDataset, importDataset } from '../logic/workspace-dataset';
import { output } from '../output';

function toPath(file: unknown): string | undefined {
  if (typeof file === 'string') return file;
  if (file instanceof vscode.Uri) return file.fsPath;
  return undefined;
}

export async function importSquad(store: DatasetStore, fileArg?: unknown): Promise<{ added: number; duplicates: number; conflicts: string[] } | undefined> {
  let file = toPath(fileArg);
  if (!file) {
    const picked = await vscode.window.showOpenDialog({ title: 'SpanTune: Import SQuAD Dataset', canSelectMany: false, filters: { 'SQuAD JSON': ['json'] } });
    file = picked?.[0]?.fsPath;
  }
  if (!file) return undefined;
  const incoming = parseDatasetText(await readFile(file, 'utf8'), path.basename(file));
  const report = await store.mutate((dataset) => importDataset(dataset, incoming));
  const summary = `Imported ${report.added} question(s) from ${path.basename(file)}; ${report.duplicates} already present; ${report.conflicts.length} conflict(s)`;
  output().info(summary);
  for (const conflict of report.conflicts) output().warn(`Import conflict: ${conflict}`);
  if (report.conflicts.length > 0) {
    void vscode.window.showWarningMessage(`SpanTune: ${summary}. Conflicting questions were left out.`, 'Show Conflicts').then((c) => {
      if (c) output().show();
    });
  } else {
    void vscode.window.showInformationMessage(`SpanTune: ${summary}.`);
  }
  return report;
}

export async function exportSquad(store: DatasetStore, fileArg?: unknown, versionArg?: unknown): Promise<string | undefined> {
  let version: '1.1' | '2.0' | undefined = versionArg === '1.1' || versionArg === '2.0' ? versionArg : undefined;
  if (!version) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'SQuAD v2.0', description: 'all questions, unanswerable ones included', version: '2.0' as const },
        { label: 'SQuAD v1.1', description: 'answerable questions only', version: '1.1' as const },
      ],
      { title: 'SpanTune: Export SQuAD Dataset' },
    );
    version = picked?.version;
  }
  if (!version) return undefined;
  let file = toPath(fileArg);
  if (!file) {
    const picked = await vscode.window.showSaveDialog({
      title: 'SpanTune: Export SQuAD Dataset',
      defaultUri: vscode.Uri.joinPath(store.folder.uri, `dataset-squad-v${version}.json`),
      filters: { 'SQuAD JSON': ['json'] },
    });
    file = picked?.fsPath;
  }
  if (!file) return undefined;
  await writeSquadFile(file, exportDataset(store.dataset, version));
  void vscode.window.showInformationMessage(`SpanTune: exported the dataset as SQuAD v${version} to ${file}`);
  return file;
}

/**
 * Generate QA Pairs from Workspace: the same discovery and generators as `spantune generate`, run on
 * the dataset's workspace folder with the include/exclude settings, then merged into the dataset as
 * generated, unreviewed pairs for a person to accept or reject in the Dataset panel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { discoverFiles, generateFromFiles, type GenerationStats, type SkippedFile, type SourceFile } from '../../engine/generate';
import type { DatasetStore } from '../dataset-store';
import { mergeGenerated, type MergeReport } from '../logic/merge-generated';
import { output } from '../output';
import { readSettings, relativeDocumentPath } from '../settings';

export interface GenerateReport extends MergeReport {
  stats: GenerationStats;
  skipped: SkippedFile[];
}

export async function generateFromWorkspace(store: DatasetStore): Promise<GenerateReport | undefined> {
  const s = readSettings();
  const cwd = store.folder.uri.fsPath;
  const log = output();
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'SpanTune: generating QA pairs', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
      progress.report({ message: 'finding documents…' });
      // The include globs are the patterns, so files outside them are not listed as skipped.
      const discovery = await discoverFiles(s.include, { cwd, exclude: s.exclude });
      const files = withEditorText(store.folder, discovery.files);
      let reported = 0;
      let result;
      try {
        result = await generateFromFiles(
          files,
          { negatives: s.generateNegatives, maxPerPassage: s.generateMaxPerPassage, seed: s.seed },
          (done, total) => {
            const percent = Math.round((done / Math.max(1, total)) * 100);
            progress.report({ increment: percent - reported, message: `${done}/${total} files` });
            reported = percent;
          },
          abort.signal,
        );
      } catch (error) {
        if (abort.signal.aborted) {
          log.info('Generation cancelled; the dataset was not changed');
          void vscode.window.showInformationMessage('SpanTune: generation cancelled; the dataset was not changed.');
          return undefined;
        }
        throw error;
      }
      const merged = await store.mutate((dataset) => mergeGenerated(dataset, result.dataset));
      // A glob of the settings that matches nothing is logged, but it is not a skipped file.
      const unmatched = discovery.skipped.filter((f) => f.reason === 'matched no file');
      const skipped = [...discovery.skipped.filter((f) => !unmatched.includes(f)), ...result.stats.filesWithoutPassages];
      for (const pattern of unmatched) log.info(`spantune.include pattern ${pattern.path} matched no file`);
      const report: GenerateReport = { ...merged, stats: result.stats, skipped };
      logReport(report, files.length);
      const message =
        `SpanTune: ${report.added} new QA pair(s) from ${files.length} file(s)` +
        (report.duplicates ? `, ${report.duplicates} already in the dataset` : '') +
        (skipped.length ? `, ${skipped.length} file(s) skipped (see the SpanTune output)` : '') +
        '. They are unreviewed: accept or reject them in the Dataset panel.';
      void vscode.window.showInformationMessage(message, 'Open Dataset').then((choice) => {
        if (choice) void vscode.commands.executeCommand('spantune.openDataset', { filter: 'generated' });
      });
      return report;
    },
  );
}

/** An open document's editor text wins over the file on disk, so that offsets match what the user sees. */
function withEditorText(folder: vscode.WorkspaceFolder, files: SourceFile[]): SourceFile[] {
  const open = new Map<string, string>();
  for (const document of vscode.workspace.textDocuments) {
    const rel = relativeDocumentPath(folder, document.uri);
    if (rel && document.isDirty) open.set(rel, document.getText());
  }
  return files.map((file) => (open.has(file.path) ? { path: file.path, text: open.get(file.path) as string } : file));
}

function logReport(report: GenerateReport, fileCount: number): void {
  const log = output();
  const { stats } = report;
  const byGenerator = Object.entries(stats.pairsByGenerator).map(([name, n]) => `${name} ${n}`).join(', ') || 'none';
  log.info(
    `Generated from ${fileCount} file(s): ${stats.passages} passage(s), ${stats.pairs} pair(s) (${byGenerator}), ${stats.negatives} unanswerable` +
      (stats.negativesShort > 0 ? ` (${stats.negativesShort} fewer than asked: no other passage without the answer)` : '') +
      `; ${report.added} added to the dataset (${report.newPassages} new passage(s)), ${report.duplicates} duplicate(s) left out`,
  );
  for (const file of report.skipped) log.info(`  skipped ${file.path.split(path.sep).join('/')}: ${file.reason}`);
}

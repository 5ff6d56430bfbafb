/**
 * Generate QA Pairs from Workspace: the same discovery and generators as `spantune generate`, run on
 * the dataset's workspace folder with the include/exclude settings, then merged into the dataset as
 * generated, unreviewed pairs for a person to accept or reject in the Dataset panel.
 * The generation itself runs in the engine process (so a large file never freezes the editor), with
 * the round-trip filter when a model is active and the chosen language model when the user allowed one.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import { discoverFiles } from '../../engine/generate/discover';
import type { LanguageModelReport } from '../../engine/generate/llm/stage';
import type { RoundTripReport, RoundTripSettings } from '../../engine/generate/roundtrip';
import type { GenerationStats, SkippedFile, SourceFile } from '../../engine/generate/types';
import { EngineProcessError } from '../../engine/process/client';
import type { DatasetStore } from '../dataset-store';
import { generationSummary } from '../logic/generation-summary';
import { mergeGenerated, type MergeReport } from '../logic/merge-generated';
import { output } from '../output';
import { readSettings, relativeDocumentPath, type SpanTuneSettings } from '../settings';
import type { TrainingController } from '../training/controller';
import type { Engine } from '../training/engine';
import type { LanguageModelChoice } from './language-model';

export interface GenerateReport extends MergeReport {
  stats: GenerationStats;
  skipped: SkippedFile[];
  roundTrip?: RoundTripReport;
  languageModel?: LanguageModelReport;
  /** Why the round trip or the language model did not run, when they did not. */
  notes: string[];
}

export interface GenerateDeps {
  store: DatasetStore;
  engine: Engine;
  controller: TrainingController;
  languageModel: LanguageModelChoice;
}

export async function generateFromWorkspace({ store, engine, controller, languageModel }: GenerateDeps): Promise<GenerateReport | undefined> {
  const s = readSettings();
  const cwd = store.folder.uri.fsPath;
  const log = output();
  const notes: string[] = [];
  const roundTrip = await roundTripSettings(s, controller, notes);
  const model = await languageModel.forGeneration();
  if (model && 'unavailable' in model) notes.push(`${model.unavailable}: the offline generators only`);
  const chat = model && 'chat' in model ? model.chat : undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'SpanTune: generating QA pairs', cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort(new Error('cancelled')));
      progress.report({ message: 'finding documents…' });
      // The include globs are the patterns, so files outside them are not listed as skipped.
      const discovery = await discoverFiles(s.include, { cwd, exclude: s.exclude });
      const files = withEditorText(store.folder, discovery.files);
      const stages = ['files', ...(chat ? ['language model'] : []), ...(roundTrip ? ['round trip'] : [])];
      let reported = 0;
      let outcome;
      try {
        outcome = await engine.get('answering').generate(
          {
            files,
            options: { negatives: s.generateNegatives, maxPerPassage: s.generateMaxPerPassage, seed: s.seed },
            ...(roundTrip ? { roundTrip } : {}),
            ...(chat ? { languageModel: s.generateLanguageModel, chatModel: { label: chat.label } } : {}),
          },
          {
            chat,
            signal: abort.signal,
            onProgress: (done, total, stage = 'files') => {
              // Each stage fills its share of the bar.
              const index = Math.max(0, stages.indexOf(stage));
              const percent = Math.round(((index + done / Math.max(1, total)) / stages.length) * 100);
              progress.report({ increment: Math.max(0, percent - reported), message: `${stage === 'files' ? '' : `${stage}: `}${done}/${total} ${unitOf(stage)}` });
              reported = Math.max(reported, percent);
            },
          },
        );
      } catch (error) {
        if (abort.signal.aborted) {
          log.info('Generation cancelled; the dataset was not changed');
          void vscode.window.showInformationMessage('SpanTune: generation cancelled; the dataset was not changed.');
          return undefined;
        }
        if (error instanceof EngineProcessError && error.userError) throw new UserError(`Generation stopped, the dataset was not changed: ${error.message}`);
        throw error;
      }
      const merged = await store.mutate((dataset) => mergeGenerated(dataset, outcome.dataset));
      // A glob of the settings that matches nothing is logged, but it is not a skipped file.
      const unmatched = discovery.skipped.filter((f) => f.reason === 'matched no file');
      const skipped = [...discovery.skipped.filter((f) => !unmatched.includes(f)), ...outcome.stats.filesWithoutPassages];
      for (const pattern of unmatched) log.info(`spantune.include pattern ${pattern.path} matched no file`);
      const report: GenerateReport = { ...merged, stats: outcome.stats, skipped, roundTrip: outcome.roundTrip, languageModel: outcome.languageModel, notes };
      logReport(report, files.length);
      void vscode.window.showInformationMessage(generationSummary(report, files.length), 'Open Dataset').then((choice) => {
        if (choice) void vscode.commands.executeCommand('spantune.openDataset', { filter: 'generated' });
      });
      return report;
    },
  );
}

const unitOf = (stage: string) => (stage === 'round trip' ? 'windows' : stage === 'language model' ? 'passages' : 'files');

/** The round trip runs with the active model, in a trusted workspace, unless turned off; `notes` says why not. */
async function roundTripSettings(s: SpanTuneSettings, controller: TrainingController, notes: string[]): Promise<RoundTripSettings | undefined> {
  if (s.generateRoundTrip === 'off') return undefined;
  const modelDir = controller.activeModel();
  if (!modelDir) {
    notes.push('no round trip: no model is active (make a trained model active in the Models view)');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    notes.push('no round trip: models are not loaded in Restricted Mode');
    return undefined;
  }
  const run = (await controller.runs.list()).find((r) => r.modelDir === modelDir);
  return {
    modelDir,
    modelLabel: run ? `run ${run.id}` : path.basename(modelDir),
    minF1: s.generateRoundTripMinF1,
    keepFailed: s.generateRoundTrip === 'mark',
    maxSeqLength: s.maxSeqLength,
    docStride: s.docStride,
    backend: s.backend,
    provider: s.provider,
    threads: s.threads,
  };
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
  if (report.languageModel) log.info(`  language model: ${JSON.stringify(report.languageModel)}`);
  if (report.roundTrip) log.info(`  round trip: ${JSON.stringify(report.roundTrip)}`);
  for (const note of report.notes) log.info(`  ${note}`);
  for (const file of report.skipped) log.info(`  skipped ${file.path.split(path.sep).join('/')}: ${file.reason}`);
}

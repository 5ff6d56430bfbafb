/**
 * SpanTune's extension entry point: thin glue between VS Code and the engine. Activation only wires
 * up commands and views; nothing here loads TensorFlow (training and prediction run in the engine
 * process, started when a command needs it).
 */
import * as vscode from 'vscode';
import { UserError } from '../engine/errors';
import { AnswerDecorations, PassageCodeLens } from './decorations';
import { DatasetStore } from './dataset-store';
import { addAnotherAnswer, addQuestionForSelection, markQuestionUnanswerable } from './commands/annotate';
import { exportSquad, importSquad } from './commands/import-export';
import { guarded, output } from './output';
import { readSettings, workspaceRoot } from './settings';
import { DatasetPanel } from './webviews/dataset-panel';
import { DocumentsTree } from './views/documents-tree';

/** What tests reach through `vscode.extensions.getExtension(...).exports`. */
export interface SpanTuneApi {
  activationMs: number;
  store: DatasetStore | undefined;
  decorations: AnswerDecorations | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<SpanTuneApi> {
  const started = performance.now();
  const log = output();
  context.subscriptions.push(log);
  const api: SpanTuneApi = { activationMs: 0, store: undefined, decorations: undefined };

  const folder = workspaceRoot();
  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(id, run)));
  const needFolder = (): DatasetStore => {
    if (!api.store) throw new UserError('Open a folder first: SpanTune keeps its dataset in the workspace');
    return api.store;
  };

  if (folder) {
    const store = new DatasetStore(folder, readSettings().datasetPath, (m) => log.info(m));
    api.store = store;
    api.decorations = new AnswerDecorations(store);
    const lens = new PassageCodeLens(store);
    const documents = new DocumentsTree(store);
    context.subscriptions.push(
      store,
      api.decorations,
      lens,
      vscode.languages.registerCodeLensProvider({ scheme: 'file' }, lens),
      vscode.window.createTreeView('spantune.documents', { treeDataProvider: documents, showCollapseAll: true }),
      documents,
    );
    await store.load();
  }

  register('spantune.addQuestion', (question) => addQuestionForSelection(needFolder(), question));
  register('spantune.addAnswer', (qaId) => addAnotherAnswer(needFolder(), qaId));
  register('spantune.markUnanswerable', (qaId) => markQuestionUnanswerable(needFolder(), qaId));
  register('spantune.openDataset', (options) => DatasetPanel.show(context, needFolder(), options as { filter?: string } | undefined));
  register('spantune.importDataset', (file) => importSquad(needFolder(), file));
  register('spantune.exportDataset', (file, version) => exportSquad(needFolder(), file, version));
  register('spantune.refreshViews', () => api.store?.load());

  api.activationMs = performance.now() - started;
  log.info(`SpanTune activated in ${api.activationMs.toFixed(1)} ms (workspace trust: ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
  return api;
}

export function deactivate(): void {
  // Disposables registered on the context stop the engine and flush the dataset.
}

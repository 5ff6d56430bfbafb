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
import { ModelsTree, RunsTree } from './views/training-trees';
import { evaluateModel } from './commands/model';
import { selectBaseModel, setHuggingFaceToken } from './commands/hub';
import { setUpAcceleratedEngine, useInstalledNativeEngine } from './commands/native-engine';
import { exportModel, pushModelToHub } from './commands/export-model';
import { generateFromWorkspace } from './commands/generate';
import { LanguageModelChoice } from './commands/language-model';
import { TrainingController } from './training/controller';
import { Engine } from './training/engine';
import { DashboardPanel } from './webviews/dashboard-panel';
import { QaPanel, type Scope } from './webviews/qa-panel';

/** What tests reach through `vscode.extensions.getExtension(...).exports`. */
export interface SpanTuneApi {
  /** From before the bundle loaded (entry.ts) to the end of activate(). */
  activationMs: number;
  /** Of which loading (reading, compiling, running) the bundle. */
  bundleLoadMs: number;
  store: DatasetStore | undefined;
  decorations: AnswerDecorations | undefined;
  training: TrainingController | undefined;
  engine: Engine;
  /** The language model generation may use (tests put a fake chat model in its seams). */
  languageModel: LanguageModelChoice;
  qaPanel(): QaPanel | undefined;
}

export async function activate(context: vscode.ExtensionContext, timing?: { loadStarted: number; loadMs: number }): Promise<SpanTuneApi> {
  // Without entry.ts (tests that import this module directly) only activate() itself is timed.
  const started = timing?.loadStarted ?? performance.now();
  const log = output();
  context.subscriptions.push(log);
  // The engine process starts on the first command that needs it, never here.
  const engine = new Engine(context.extensionUri);
  context.subscriptions.push(engine);
  useInstalledNativeEngine(engine);
  const api: SpanTuneApi = {
    activationMs: 0,
    bundleLoadMs: timing?.loadMs ?? 0,
    store: undefined,
    decorations: undefined,
    training: undefined,
    engine,
    languageModel: new LanguageModelChoice(context.workspaceState),
    qaPanel: () => QaPanel.instance,
  };

  const folder = workspaceRoot();
  const register = (id: string, run: (...args: unknown[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, guarded(id, run)));
  const needFolder = (): DatasetStore => {
    if (!api.store) throw new UserError('Open a folder first: SpanTune keeps its dataset in the workspace');
    return api.store;
  };
  const needTraining = (): TrainingController => {
    needFolder();
    return api.training as TrainingController;
  };

  if (folder) {
    const store = new DatasetStore(folder, readSettings().datasetPath, (m) => log.info(m));
    api.store = store;
    api.decorations = new AnswerDecorations(store, context.extensionUri);
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
    const training = new TrainingController(context, store, engine);
    api.training = training;
    const runsTree = new RunsTree(training);
    const modelsTree = new ModelsTree(training);
    context.subscriptions.push(
      training,
      runsTree,
      modelsTree,
      vscode.window.createTreeView('spantune.runs', { treeDataProvider: runsTree }),
      vscode.window.createTreeView('spantune.models', { treeDataProvider: modelsTree }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('spantune.baseModel') && modelsTree.refresh()),
    );
    await store.load();
  }

  register('spantune.addQuestion', (question) => addQuestionForSelection(needFolder(), question));
  register('spantune.addAnswer', (qaId) => addAnotherAnswer(needFolder(), qaId));
  register('spantune.markUnanswerable', (qaId) => markQuestionUnanswerable(needFolder(), qaId));
  register('spantune.openDataset', (options) => DatasetPanel.show(context, needFolder(), options as { filter?: string } | undefined));
  register('spantune.importDataset', (file) => importSquad(needFolder(), file));
  register('spantune.exportDataset', (file, version) => exportSquad(needFolder(), file, version));
  register('spantune.saveDataset', () => needFolder().saveNow());
  register('spantune.refreshViews', () => api.store?.load());
  register('spantune.fineTune', async (options) => {
    const id = await needTraining().fineTune((options as { confirm?: boolean } | undefined) ?? {});
    if (id) DashboardPanel.show(context, needTraining());
    return id;
  });
  register('spantune.cancelTraining', () => needTraining().cancel());
  register('spantune.openDashboard', () => void DashboardPanel.show(context, needTraining()));
  register('spantune.ask', async (question, scope, model) => {
    const panel = QaPanel.show(context, { folder: needFolder().folder, engine, controller: needTraining(), decorations: api.decorations });
    if (typeof question === 'string') return panel.ask(question, (scope as Scope | undefined) ?? 'file', (model as string | undefined) ?? 'base');
    return undefined;
  });
  register('spantune.evaluate', () => evaluateModel(needFolder(), engine, needTraining()));
  register('spantune.selectBaseModel', (choice) => selectBaseModel(context, choice));
  register('spantune.setHubToken', (token) => setHuggingFaceToken(context, token));
  register('spantune.setUpEngine', (kind) => setUpAcceleratedEngine(engine, api.training, kind));
  register('spantune.exportModel', (target) => exportModel(needTraining(), target));
  register('spantune.pushModel', (target) => pushModelToHub(context, needTraining(), target));
  register('spantune.makeActiveModel', (node) => needTraining().setActiveModel((node as { dir?: string } | undefined)?.dir));
  register('spantune.generate', () => generateFromWorkspace({ store: needFolder(), engine, controller: needTraining(), languageModel: api.languageModel }));
  register('spantune.chooseLanguageModel', (modelId) => api.languageModel.choose(modelId));

  api.activationMs = performance.now() - started;
  log.info(`SpanTune activated in ${api.activationMs.toFixed(1)} ms, ${api.bundleLoadMs.toFixed(1)} ms of it loading the bundle (workspace trust: ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
  return api;
}

export function deactivate(): void {
  // Disposables registered on the context stop the engine and flush the dataset.
}

/** The QA panel: ask a question about the active file, the selection or the workspace. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import type { PredictionOutput } from '../../engine/qa/predict';
import type { QaExample } from '../../engine/squad/types';
import type { AnswerDecorations } from '../decorations';
import { extensionPredictSettings } from '../logic/predict-settings';
import { guarded } from '../output';
import { revealRange } from '../reveal';
import { readSettings, relativeDocumentPath } from '../settings';
import { baseModelDir, requireTrust, type TrainingController } from '../training/controller';
import type { Engine } from '../training/engine';
import { webviewHtml, webviewOptions } from './html';

export type Scope = 'file' | 'selection' | 'workspace';
export type QaPanelMessage =
  | { type: 'ready' }
  | { type: 'ask'; question: string; scope: Scope; model: string }
  | { type: 'cancel' }
  | { type: 'reveal'; path: string; start: number; end: number; text: string };

export interface AnswerView {
  path: string;
  text: string;
  start: number;
  end: number;
  score: number;
  probability: number;
  isNull: boolean;
  nbest: { text: string; start: number; end: number; score: number; probability: number; isNull: boolean }[];
}

const MAX_WORKSPACE_FILES = 50;
/** Model ids of runs' best checkpoints: "<run id>#best". */
const BEST_SUFFIX = '#best';

export class QaPanel {
  private static current: QaPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The editor the question is about (the panel itself takes the focus). */
  private editor: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  lastAnswers: AnswerView[] = [];
  /** Cancels the question being answered (a new question cancels the one before it). */
  private inFlight: AbortController | undefined;

  static show(context: vscode.ExtensionContext, deps: QaDeps): QaPanel {
    requireTrust('Asking the model');
    if (QaPanel.current) QaPanel.current.panel.reveal(undefined, false);
    else QaPanel.current = new QaPanel(context, deps);
    return QaPanel.current;
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly deps: QaDeps,
    readonly panel = vscode.window.createWebviewPanel('spantune.qa', 'SpanTune: Ask', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(context.extensionUri)),
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'spantune.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, {
      title: 'SpanTune: Ask',
      script: 'qa',
      body: '<main id="app" aria-live="polite"><p>Loading…</p></main>',
    });
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e) this.editor = e;
        void this.postModels();
      }),
      // A run that ends (or a model made active) changes the models to choose from.
      deps.controller.onDidChange((run) => run === undefined && void this.postModels()),
      panel.webview.onDidReceiveMessage(guarded('QA panel', (m: QaPanelMessage) => this.handle(m))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /**
   * The base model, and each ended run's final model and (when validation picked one) its best
   * checkpoint: a run's final model has seen the most training, its best checkpoint scored highest
   * on the validation questions.
   */
  private async models(): Promise<{ id: string; label: string; dir: string }[]> {
    const runs = (await this.deps.controller.listRuns()).filter((r) => r.status !== 'running');
    const models = [{ id: 'base', label: `base model (${readSettings().baseModel || 'not set'})`, dir: '' }];
    for (const run of runs) {
      const final = run.settings.outputDir;
      if (existsSync(path.join(final, 'config.json'))) models.push({ id: run.id, label: `run ${run.id}: final model`, dir: final });
      if (run.modelDir && path.resolve(run.modelDir) !== path.resolve(final)) {
        models.push({ id: `${run.id}${BEST_SUFFIX}`, label: `run ${run.id}: best checkpoint${run.best ? ` (validation F1 ${run.best.f1.toFixed(1)})` : ''}`, dir: run.modelDir });
      }
    }
    return models;
  }

  /** The model made active, else the newest run's final model, else the base model. */
  private async postModels(): Promise<void> {
    const models = await this.models();
    const active = this.deps.controller.activeModel();
    const chosen = (active ? models.find((m) => m.dir && path.resolve(m.dir) === path.resolve(active)) : undefined) ?? models.find((m) => m.id !== 'base' && !m.id.endsWith(BEST_SUFFIX)) ?? models[0]!;
    void this.panel.webview.postMessage({
      type: 'context',
      models: models.map(({ id, label }) => ({ id, label })),
      selectedModel: chosen.id,
      file: this.editor ? relativeDocumentPath(this.deps.folder, this.editor.document.uri) : undefined,
    });
  }

  private async handle(message: QaPanelMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.postModels();
      case 'ask':
        await this.ask(message.question, message.scope, message.model);
        return;
      case 'cancel':
        this.cancelQuestion();
        return;
      case 'reveal': {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(this.deps.folder.uri, message.path));
        const editor = await revealRange(document, message.start, message.end);
        const range = new vscode.Range(document.positionAt(message.start), document.positionAt(message.end));
        this.deps.decorations?.showPrediction(editor, range, `SpanTune answer: ${message.text}`);
        return;
      }
    }
  }

  async ask(question: string, scope: Scope, model: string): Promise<AnswerView[]> {
    if (!question.trim()) throw new UserError('Type a question first');
    const modelDir = await this.modelDir(model);
    const sources = await this.sources(scope);
    if (sources.length === 0) throw new UserError('Nothing to read: open a document (or pick the workspace scope)');
    void this.panel.webview.postMessage({ type: 'busy', text: `Reading ${sources.length} document(s) with ${await this.deps.controller.modelName(modelDir)}…` });
    const examples: QaExample[] = sources.map((s, i) => ({ id: String(i), question: question.trim(), context: s.text, answers: [], isImpossible: false }));
    // Five candidates: the panel lists the best answer and the others under it.
    const settings = extensionPredictSettings(modelDir, examples, readSettings(), 5);
    this.inFlight?.abort();
    const abort = new AbortController();
    this.inFlight = abort;
    let prediction: PredictionOutput;
    try {
      // The answering engine process: a training run in the other process does not hold the question up.
      prediction = (await this.deps.engine.get('answering').predict(settings, { signal: abort.signal })) as PredictionOutput;
    } catch (error) {
      if (abort.signal.aborted) {
        if (this.inFlight === abort) void this.panel.webview.postMessage({ type: 'answers', question, results: [], error: 'Question cancelled.' });
        return [];
      }
      void this.panel.webview.postMessage({ type: 'answers', question, results: [], error: (error as Error).message });
      throw error;
    } finally {
      if (this.inFlight === abort) this.inFlight = undefined;
    }
    const answers: AnswerView[] = prediction.predictions.map((p) => {
      const source = sources[Number(p.id)]!;
      const best = p.nbest.find((n) => !n.isNull) ?? p.nbest[0];
      return {
        path: source.path,
        text: p.text,
        start: source.offset + p.start,
        end: source.offset + p.end,
        score: best?.score ?? 0,
        probability: best?.probability ?? 0,
        isNull: p.isNull,
        nbest: p.nbest.map((n) => ({ text: n.text, start: source.offset + n.start, end: source.offset + n.end, score: n.score, probability: n.probability, isNull: n.isNull })),
      };
    });
    answers.sort((a, b) => Number(a.isNull) - Number(b.isNull) || b.score - a.score);
    this.lastAnswers = answers;
    void this.panel.webview.postMessage({ type: 'answers', question, results: answers, backend: prediction.backend });
    return answers;
  }

  /** Stops the question being answered, if any; the answering process stays up for the next one. */
  cancelQuestion(): boolean {
    if (!this.inFlight) return false;
    this.inFlight.abort();
    return true;
  }

  private async modelDir(model: string): Promise<string> {
    if (model === 'base') return baseModelDir(this.deps.folder);
    const found = (await this.models()).find((m) => m.id === model);
    if (!found) throw new UserError(`Run ${model.replace(BEST_SUFFIX, '')} has no model to use`);
    return found.dir;
  }

  private async sources(scope: Scope): Promise<{ path: string; text: string; offset: number }[]> {
    const folder = this.deps.folder;
    if (scope !== 'workspace') {
      const editor = this.editor;
      const path = editor ? relativeDocumentPath(folder, editor.document.uri) : undefined;
      if (!editor || !path) throw new UserError('Open a workspace document first (or pick the workspace scope)');
      if (scope === 'selection') {
        if (editor.selection.isEmpty) throw new UserError('Select the text to ask about first');
        return [{ path, text: editor.document.getText(editor.selection), offset: editor.document.offsetAt(editor.selection.start) }];
      }
      return [{ path, text: editor.document.getText(), offset: 0 }];
    }
    const s = readSettings();
    const include = s.include.length === 1 ? s.include[0]! : `{${s.include.join(',')}}`;
    const exclude = s.exclude.length === 0 ? undefined : s.exclude.length === 1 ? s.exclude[0] : `{${s.exclude.join(',')}}`;
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, include), exclude, MAX_WORKSPACE_FILES);
    const sources = [];
    for (const uri of uris.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const path = relativeDocumentPath(folder, uri);
      if (path) sources.push({ path, text: await readFile(uri.fsPath, 'utf8'), offset: 0 });
    }
    return sources;
  }

  static get instance(): QaPanel | undefined {
    return QaPanel.current;
  }

  private dispose(): void {
    this.inFlight?.abort();
    QaPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

export interface QaDeps {
  folder: vscode.WorkspaceFolder;
  engine: Engine;
  controller: TrainingController;
  decorations: AnswerDecorations | undefined;
}

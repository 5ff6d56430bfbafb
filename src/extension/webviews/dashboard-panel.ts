/** The Training dashboard: live curves of the running job, past runs, cancel/resume, active model. */
import * as vscode from 'vscode';
import { guarded } from '../output';
import type { TrainingController } from '../training/controller';
import { readSettings } from '../settings';
import { webviewHtml, webviewOptions } from './html';

export type DashboardMessage = { type: 'ready' } | { type: 'cancel' } | { type: 'resume'; runId: string } | { type: 'activate'; runId: string | null } | { type: 'train' };

export class DashboardPanel {
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;

  static show(context: vscode.ExtensionContext, controller: TrainingController): DashboardPanel {
    if (DashboardPanel.current) DashboardPanel.current.panel.reveal(undefined, true);
    else DashboardPanel.current = new DashboardPanel(context, controller);
    return DashboardPanel.current;
  }

  private constructor(
    context: vscode.ExtensionContext,
    private readonly controller: TrainingController,
    readonly panel = vscode.window.createWebviewPanel('spantune.dashboard', 'SpanTune Training', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(context.extensionUri)),
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'spantune.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri, {
      title: 'SpanTune Training',
      script: 'training',
      body: '<main id="app" aria-live="polite"><p>Loading…</p></main>',
    });
    this.disposables.push(
      controller.onDidChange(() => this.schedulePost()),
      panel.webview.onDidReceiveMessage(guarded('Training dashboard', (m: DashboardMessage) => this.handle(m))),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Steps can come fast: the webview gets at most ~4 updates a second. */
  private schedulePost(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      void this.post();
    }, 250);
  }

  private async post(): Promise<void> {
    const runs = await this.controller.listRuns();
    const running = this.controller.running;
    void this.panel.webview.postMessage({ type: 'state', runs, runningId: running?.id, activeModel: this.controller.activeModel(), baseModel: readSettings().baseModel });
  }

  private async handle(message: DashboardMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.post();
      case 'cancel':
        return this.controller.cancel();
      case 'train':
        await vscode.commands.executeCommand('spantune.fineTune');
        return;
      case 'resume':
        await this.controller.fineTune({ resumeRunId: message.runId });
        return;
      case 'activate': {
        const run = message.runId ? (await this.controller.runs.list()).find((r) => r.id === message.runId) : undefined;
        await this.controller.setActiveModel(run?.modelDir);
        vscode.window.setStatusBarMessage(`SpanTune: active model is now ${run ? `run ${run.id}` : 'the base model'}`, 4000);
        return this.post();
      }
    }
  }

  private dispose(): void {
    DashboardPanel.current = undefined;
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
  }
}

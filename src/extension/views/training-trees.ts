/** The "Training Runs" and "Models" views. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readSettings } from '../settings';
import type { TrainingController } from '../training/controller';
import type { RunRecord } from '../training/runs';

abstract class RunsBackedTree<T> implements vscode.TreeDataProvider<T>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  constructor(protected readonly controller: TrainingController) {
    this.subscription = controller.onDidChange((run) => {
      if (run === undefined || run.steps.length % 10 === 0) this.changed.fire();
    });
  }
  refresh(): void {
    this.changed.fire();
  }
  abstract getChildren(): Promise<T[]>;
  abstract getTreeItem(node: T): vscode.TreeItem;
  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export class RunsTree extends RunsBackedTree<RunRecord> {
  async getChildren(): Promise<RunRecord[]> {
    return this.controller.listRuns();
  }
  getTreeItem(run: RunRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(run.id);
    const last = run.steps.at(-1);
    item.description = `${run.status}${last ? ` · step ${last.step}/${run.totalSteps ?? '?'} · loss ${last.loss.toFixed(3)}` : ''}${run.best ? ` · F1 ${run.best.f1.toFixed(1)}` : ''}`;
    item.iconPath = new vscode.ThemeIcon({ running: 'sync~spin', finished: 'pass', cancelled: 'debug-pause', failed: 'error' }[run.status]);
    item.tooltip = `${path.basename(run.settings.modelDir)} · ${run.settings.epochs} epochs · batch ${run.settings.batchSize} · lr ${run.settings.learningRate}${run.reason ? `\n${run.reason}` : ''}`;
    item.command = { command: 'spantune.openDashboard', title: 'Open Dashboard' };
    return item;
  }
}

type ModelNode = { label: string; dir?: string; runId?: string };

export class ModelsTree extends RunsBackedTree<ModelNode> {
  async getChildren(): Promise<ModelNode[]> {
    const base = readSettings().baseModel;
    const runs = (await this.controller.runs.list()).filter((r) => r.modelDir && r.status !== 'running');
    return [{ label: base ? `base: ${path.basename(base)}` : 'base: not set', dir: undefined }, ...runs.map((r) => ({ label: `run ${r.id}`, dir: r.modelDir, runId: r.id }))];
  }
  getTreeItem(node: ModelNode): vscode.TreeItem {
    const active = this.controller.activeModel();
    const isActive = node.dir === active || (node.dir === undefined && active === undefined);
    const item = new vscode.TreeItem(node.label);
    item.description = isActive ? 'active' : undefined;
    item.iconPath = new vscode.ThemeIcon(isActive ? 'star-full' : 'package');
    item.tooltip = node.dir ?? readSettings().baseModel;
    item.contextValue = isActive ? 'spantune.activeModel' : 'spantune.model';
    if (node.dir === undefined && !readSettings().baseModel) item.command = { command: 'spantune.selectBaseModel', title: 'Select Base Model' };
    (item as vscode.TreeItem & { modelDir?: string }).id = node.runId ?? 'base';
    return item;
  }
}

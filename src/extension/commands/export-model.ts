/**
 * Export Model (a trained run's model folder, Hugging Face layout with its README.md model card, copied
 * to a folder the user picks) and Push Model to Hub (with the token from SecretStorage).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import { copyFolderAtomic } from '../../engine/fs/atomic';
import type { PushResult } from '../../engine/hub';
import { output } from '../output';
import type { TrainingController } from '../training/controller';
import { requireTrust } from '../training/controller';
import { hubToken, loadHub, proxySettings } from './hub';

export interface ModelTarget {
  modelDir?: string;
  target?: string;
  repoId?: string;
}

/** A model folder: the argument's, else one picked from the finished runs. */
async function pickModel(controller: TrainingController, given?: string): Promise<string | undefined> {
  if (given) {
    if (!existsSync(path.join(given, 'config.json'))) throw new UserError(`${given} is not a model folder (no config.json)`);
    return given;
  }
  const runs = (await controller.runs.list()).filter((r) => r.modelDir && existsSync(path.join(r.modelDir, 'config.json')));
  if (runs.length === 0) throw new UserError('No trained model yet: run "SpanTune: Fine-tune on Workspace" first');
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: r.id, description: r.status, detail: r.modelDir, dir: r.modelDir as string })),
    { title: 'SpanTune: which trained model?' },
  );
  return picked?.dir;
}

export async function exportModel(controller: TrainingController, arg?: unknown): Promise<string | undefined> {
  const options = (arg ?? {}) as ModelTarget;
  const modelDir = await pickModel(controller, options.modelDir);
  if (!modelDir) return undefined;
  let parent = options.target;
  if (!parent) {
    const picked = await vscode.window.showOpenDialog({ title: 'SpanTune: Export Model into…', canSelectFiles: false, canSelectFolders: true, openLabel: 'Export Here' });
    parent = picked?.[0]?.fsPath;
  }
  if (!parent) return undefined;
  const destination = path.join(parent, path.basename(modelDir));
  if (existsSync(destination)) throw new UserError(`${destination} already exists; pick another folder or remove it first`);
  // Copied and flushed beside the destination, then renamed: a failed copy never leaves half a model.
  await copyFolderAtomic(modelDir, destination);
  const files = await readdir(destination);
  if (!files.includes('README.md')) void vscode.window.showWarningMessage(`SpanTune: ${modelDir} has no model card (README.md); the export has none either.`);
  output().info(`Exported ${modelDir} to ${destination} (${files.join(', ')})`);
  void vscode.window.showInformationMessage(`SpanTune: model exported to ${destination}`);
  return destination;
}

export async function pushModelToHub(context: vscode.ExtensionContext, controller: TrainingController, arg?: unknown): Promise<PushResult | undefined> {
  requireTrust('Pushing models');
  const options = (arg ?? {}) as ModelTarget;
  const { pushModel, redactToken } = await loadHub();
  const token = await hubToken(context);
  if (!token) throw new UserError('Pushing needs a Hugging Face token with write access: run "SpanTune: Set Hugging Face Token" first');
  const folder = await pickModel(controller, options.modelDir);
  if (!folder) return undefined;
  const repoId =
    options.repoId ??
    (await vscode.window.showInputBox({ title: 'SpanTune: Push Model to Hub', prompt: 'Repository: owner/name, or just name for your own account', ignoreFocusOut: true }))?.trim();
  if (!repoId) return undefined;
  const proxy = await proxySettings();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SpanTune: pushing to ${repoId}`, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new UserError(`Push to ${repoId} cancelled`)));
      try {
        return await pushModel({
          repoId,
          folder,
          token,
          ...proxy,
          signal: abort.signal,
          onProgress: (p) => progress.report({ message: `${p.phase}${p.file ? ` ${p.file}` : ''}${p.fraction !== undefined ? ` ${Math.round(p.fraction * 100)}%` : ''}` }),
        });
      } catch (error) {
        if (abort.signal.aborted) throw abort.signal.reason;
        if (error instanceof Error) error.message = redactToken(error.message, token);
        throw error;
      }
    },
  );
  for (const warning of result.warnings) void vscode.window.showWarningMessage(`SpanTune: ${warning}`);
  output().info(`Pushed ${folder} to ${result.repoUrl} (${result.files.length} files, commit ${result.commitOid.slice(0, 12)})`);
  void vscode.window.showInformationMessage(`SpanTune: pushed to ${result.repoUrl}`);
  return result;
}

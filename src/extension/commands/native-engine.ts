/**
 * Set Up Accelerated Engine: checks the machine for the native TensorFlow build (CUDA 11.2 / cuDNN
 * 8.1 for the GPU one), installs it into the extension's global storage, and points the engine there;
 * the next job starts a fresh engine process that picks it up, without restarting VS Code.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import { checkNativeSupport, installNativeBackend, NATIVE_PACKAGES, type NativeKind } from '../../engine/backend/native-setup';
import { output } from '../output';
import type { TrainingController } from '../training/controller';
import { requireTrust } from '../training/controller';
import type { Engine } from '../training/engine';

export interface NativeSetupResult {
  kind: NativeKind;
  installed: boolean;
  /** What stops the set-up, in plain words (empty when it worked). */
  problems: string[];
  dir?: string;
}

/** The folder SpanTune installs native packages into. */
export function nativeDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'native');
}

/** At activation: an engine installed in an earlier session is used again (a cheap existence check, no loading). */
export function useInstalledNativeEngine(context: vscode.ExtensionContext, engine: Engine): void {
  const dir = nativeDir(context);
  if (existsSync(path.join(dir, 'node_modules'))) engine.useNativeDir(dir);
}

export async function setUpAcceleratedEngine(context: vscode.ExtensionContext, engine: Engine, training: TrainingController | undefined, kindArg?: unknown): Promise<NativeSetupResult | undefined> {
  requireTrust('Setting up the accelerated engine');
  if (training?.running) throw new UserError('A training run is in progress; set up the engine after it ends (the engine process restarts)');
  let kind: NativeKind | undefined = kindArg === 'gpu' || kindArg === 'cpu' ? kindArg : undefined;
  if (!kind) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: '$(circuit-board) GPU (NVIDIA CUDA)', detail: `${NATIVE_PACKAGES.gpu}: needs Linux or Windows x86-64, CUDA 11.2 and cuDNN 8.1`, engine: 'gpu' as const },
        { label: '$(server) CPU (native TensorFlow)', detail: `${NATIVE_PACKAGES.cpu}: faster than WebAssembly on most machines`, engine: 'cpu' as const },
      ],
      { title: 'SpanTune: Set Up Accelerated Engine', ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    kind = picked.engine;
  }
  const log = output();
  const check = checkNativeSupport(kind);
  log.info(`Accelerated engine (${kind}) check: found ${check.found.join(', ')}${check.ok ? '; ok' : `; problems: ${check.problems.join('; ')}`}`);
  if (!check.ok) {
    const what = kind === 'gpu' ? 'The GPU engine' : 'The native CPU engine';
    void vscode.window.showErrorMessage(`SpanTune: ${what} cannot run on this machine: ${check.problems.join('; ')}. SpanTune keeps using the engine it has.`);
    return { kind, installed: false, problems: check.problems };
  }
  const dir = nativeDir(context);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SpanTune: setting up ${NATIVE_PACKAGES[kind]}`, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new UserError('Setting up the accelerated engine was cancelled')));
      let reported = 0;
      try {
        await installNativeBackend({
          kind,
          dir,
          signal: abort.signal,
          onProgress: (p) => {
            log.info(`[native setup] ${p.phase}: ${p.message}`);
            const percent = p.percent === undefined ? reported : Math.floor(p.percent);
            progress.report({ increment: Math.max(0, percent - reported), message: p.message });
            reported = Math.max(reported, percent);
          },
        });
      } catch (error) {
        if (abort.signal.aborted) throw abort.signal.reason;
        throw error;
      }
    },
  );
  engine.useNativeDir(dir);
  void vscode.window.showInformationMessage(`SpanTune: ${NATIVE_PACKAGES[kind]} is set up; the next training or question uses it.`);
  return { kind, installed: true, problems: [], dir };
}

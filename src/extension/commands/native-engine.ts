/**
 * Set Up Accelerated Engine: checks the machine for ONNX Runtime's CUDA provider (CUDA 12 / cuDNN 9)
 * or a native TensorFlow build (CUDA 11.2 / cuDNN 8.1 for the GPU one), installs it into SpanTune's
 * folder (~/.spantune/native, the one `spantune setup-engine` uses too, so each sees the other's
 * install), and restarts the engine processes there; the next job picks it up, without restarting VS Code.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import { checkNativeSupport, defaultNativeDir, installNativeBackend, NATIVE_PACKAGES, type NativeKind } from '../../engine/backend/native-setup';
import { output } from '../output';
import type { TrainingController } from '../training/controller';
import { requireTrust } from '../training/controller';
import type { Engine } from '../training/engine';

/** 'cuda': ONNX Runtime's CUDA provider; 'gpu' / 'cpu': native TensorFlow for training. */
export type SetupKind = 'cuda' | NativeKind;

export interface NativeSetupResult {
  kind: SetupKind;
  installed: boolean;
  /** What stops the set-up, in plain words (empty when it worked). */
  problems: string[];
  dir?: string;
}

/** The folder SpanTune installs accelerated runtimes into: the CLI's too. */
export function nativeDir(): string {
  return defaultNativeDir();
}

/** At activation: an engine installed earlier (here or by the CLI) is used again (a cheap existence check, no loading). */
export function useInstalledNativeEngine(engine: Engine): void {
  const dir = nativeDir();
  if (existsSync(path.join(dir, 'node_modules'))) engine.useNativeDir(dir);
}

export async function setUpAcceleratedEngine(engine: Engine, training: TrainingController | undefined, kindArg?: unknown): Promise<NativeSetupResult | undefined> {
  requireTrust('Setting up the accelerated engine');
  if (training?.running) throw new UserError('A training run is in progress; set up the engine after it ends (the engine processes restart)');
  let kind: SetupKind | undefined = kindArg === 'cuda' || kindArg === 'gpu' || kindArg === 'cpu' ? kindArg : undefined;
  if (!kind) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: '$(circuit-board) NVIDIA GPU for answers (ONNX Runtime CUDA)', detail: 'ONNX Runtime\'s CUDA provider: Linux x86-64, CUDA 12 and cuDNN 9; about 250 MB download', engine: 'cuda' as const },
        { label: '$(circuit-board) NVIDIA GPU for training (TensorFlow.js CUDA)', detail: `${NATIVE_PACKAGES.gpu}: needs Linux or Windows x86-64, CUDA 11.2 and cuDNN 8.1`, engine: 'gpu' as const },
        { label: '$(server) CPU for training (native TensorFlow)', detail: `${NATIVE_PACKAGES.cpu}: faster than WebAssembly on most machines`, engine: 'cpu' as const },
      ],
      { title: 'SpanTune: Set Up Accelerated Engine', ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    kind = picked.engine;
  }
  const log = output();
  // ONNX graph building (onnx-proto) comes with the CUDA setup: a bundle of its own, loaded only here.
  const cuda = kind === 'cuda' ? await import('../../engine/onnx/cuda-setup') : undefined;
  const check = cuda ? cuda.checkCudaSupport() : checkNativeSupport(kind as NativeKind);
  log.info(`Accelerated engine (${kind}) check: found ${check.found.join(', ')}${check.ok ? '; ok' : `; problems: ${check.problems.join('; ')}`}`);
  const what = kind === 'cuda' ? 'ONNX Runtime on CUDA' : kind === 'gpu' ? 'The GPU engine' : 'The native CPU engine';
  if (!check.ok) {
    void vscode.window.showErrorMessage(`SpanTune: ${what} cannot run on this machine: ${check.problems.join('; ')}. SpanTune keeps using the engine it has.`);
    return { kind, installed: false, problems: check.problems };
  }
  const dir = nativeDir();
  const title = kind === 'cuda' ? "ONNX Runtime's CUDA provider" : NATIVE_PACKAGES[kind];
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SpanTune: setting up ${title}`, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new UserError('Setting up the accelerated engine was cancelled')));
      let reported = 0;
      const onProgress = (p: { phase: string; percent?: number; message: string }) => {
        log.info(`[engine setup] ${p.phase}: ${p.message}`);
        const percent = p.percent === undefined ? reported : Math.floor(p.percent);
        progress.report({ increment: Math.max(0, percent - reported), message: p.message });
        reported = Math.max(reported, percent);
      };
      try {
        if (cuda) await cuda.installCudaProvider({ dir, signal: abort.signal, onProgress });
        else await installNativeBackend({ kind: kind as NativeKind, dir, signal: abort.signal, onProgress });
      } catch (error) {
        if (abort.signal.aborted) throw abort.signal.reason;
        throw error;
      }
    },
  );
  engine.useNativeDir(dir);
  void vscode.window.showInformationMessage(`SpanTune: ${title} is set up; the next ${kind === 'cuda' ? 'question' : 'training run'} uses it.`);
  return { kind, installed: true, problems: [], dir };
}

/**
 * The engine processes, each started on first use (never at activation): one for training, one for
 * answering (the QA panel, Evaluate Model, generation). Two processes, so that a question is answered
 * while a training run goes on, and cancelling or crashing a run leaves the answering process alone.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineClient, priorityBelowThisProcess } from '../../engine/process/client';
import type { EngineEvent } from '../../engine/process/protocol';
import { output } from '../output';

type Listener = (event: EngineEvent) => void;

/** Which engine process a job runs in. */
export type EngineRole = 'training' | 'answering';

export class Engine implements vscode.Disposable {
  private readonly clients = new Map<EngineRole, EngineClient>();
  private readonly listeners = new Set<Listener>();
  /** Where an accelerated runtime (ONNX Runtime with CUDA, native TensorFlow) was installed, for the engine processes to find. */
  private nativeDir: string | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The engine process of `role` (answering when not said), started on first use. */
  get(role: EngineRole = 'answering'): EngineClient {
    let client = this.clients.get(role);
    if (!client) {
      client = new EngineClient({
        enginePath: path.join(this.extensionUri.fsPath, 'dist', 'engine-process.mjs'),
        env: this.nativeDir ? { ...process.env, SPANTUNE_NATIVE_DIR: this.nativeDir } : process.env,
        onEvent: (event) => {
          if (event.type === 'log') output()[event.level](`[${role}] ${event.message}`);
          for (const listener of this.listeners) listener(event);
        },
        onOutput: (line) => output().trace(`[${role} output] ${line}`),
        // Training takes every core for minutes; below normal, it leaves the editor and the answering process responsive.
        priority: role === 'training' ? priorityBelowThisProcess() : undefined,
      });
      this.clients.set(role, client);
    }
    return client;
  }

  /** The engine process of `role` if it was started (for tests and status). */
  started(role: EngineRole): EngineClient | undefined {
    return this.clients.get(role);
  }

  get nativeFolder(): string | undefined {
    return this.nativeDir;
  }

  /** Points the engines at a native install; running engine processes stop, the next jobs start fresh ones. */
  useNativeDir(dir: string): void {
    this.nativeDir = dir;
    for (const client of this.clients.values()) client.dispose();
    this.clients.clear();
  }

  onEvent(listener: Listener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  dispose(): void {
    for (const client of this.clients.values()) client.dispose();
  }
}

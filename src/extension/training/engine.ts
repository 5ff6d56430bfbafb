/** The engine process, started on first use (never at activation) and shared by every command. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EngineClient } from '../../engine/process/client';
import type { EngineEvent } from '../../engine/process/protocol';
import { output } from '../output';

type Listener = (event: EngineEvent) => void;

export class Engine implements vscode.Disposable {
  private client: EngineClient | undefined;
  private readonly listeners = new Set<Listener>();
  /** Where an accelerated (native) TensorFlow package was installed, for the engine process to find. */
  private nativeDir: string | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  get(): EngineClient {
    this.client ??= new EngineClient({
      enginePath: path.join(this.extensionUri.fsPath, 'dist', 'engine-process.js'),
      env: this.nativeDir ? { ...process.env, SPANTUNE_NATIVE_DIR: this.nativeDir } : process.env,
      onEvent: (event) => {
        if (event.type === 'log') output()[event.level](`[engine] ${event.message}`);
        for (const listener of this.listeners) listener(event);
      },
      onOutput: (line) => output().trace(`[engine output] ${line}`),
    });
    return this.client;
  }

  get nativeFolder(): string | undefined {
    return this.nativeDir;
  }

  /** Points the engine at a native install; the running engine process stops, the next job starts a fresh one. */
  useNativeDir(dir: string): void {
    this.nativeDir = dir;
    this.client?.dispose();
    this.client = undefined;
  }

  onEvent(listener: Listener): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  dispose(): void {
    this.client?.dispose();
  }
}

/**
 * The file VS Code loads (package.json "main"): notes the time, then loads the extension's bundle,
 * so that the activation time SpanTune reports includes reading and compiling that bundle.
 */
import type * as vscode from 'vscode';
import type { SpanTuneApi } from './extension';

const loadStarted = performance.now();
// A separate file on purpose (esbuild leaves it out of this one): its load is what is timed.
const main = require('./extension-main.js') as typeof import('./extension');
const loaded = performance.now();

export function activate(context: vscode.ExtensionContext): Promise<SpanTuneApi> {
  return main.activate(context, { loadStarted, loadMs: loaded - loadStarted });
}

export function deactivate(): void {
  main.deactivate();
}

/** Shared helpers for the suites that run inside the real extension host. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SpanTuneApi } from '../../src/extension/extension';

export async function activateSpanTune(): Promise<SpanTuneApi> {
  const extension = vscode.extensions.getExtension<SpanTuneApi>('spantune.spantune');
  assert.ok(extension, 'the SpanTune extension is installed in the host');
  return extension.activate();
}

export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function selectText(relative: string, needle: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relative));
  const editor = await vscode.window.showTextDocument(document);
  const start = document.getText().indexOf(needle);
  assert.ok(start >= 0, `"${needle}" occurs in ${relative}`);
  editor.selection = new vscode.Selection(document.positionAt(start), document.positionAt(start + needle.length));
  return editor;
}

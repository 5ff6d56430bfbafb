/** Opening a document at an answer and selecting it. */
import * as vscode from 'vscode';
import { UserError } from '../engine/errors';
import type { QaEntry } from './logic/workspace-dataset';

export async function revealAnswer(folder: vscode.WorkspaceFolder, entry: QaEntry, answerIndex: number): Promise<vscode.TextEditor> {
  if (!entry.path) throw new UserError(`"${entry.question}" was imported without a source document`);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, entry.path));
  const answer = entry.answers[answerIndex] ?? entry.answers[0];
  const start = answer?.documentStart ?? entry.passageStart ?? 0;
  const end = answer?.documentEnd ?? entry.passageEnd ?? start;
  return revealRange(document, start, end);
}

export async function revealRange(document: vscode.TextDocument, start: number, end: number): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
  const range = new vscode.Range(document.positionAt(start), document.positionAt(end));
  editor.selection = new vscode.Selection(range.start, range.end);
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Annotating in the editor: add a question for the selection, add another answer, mark unanswerable. */
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import type { DatasetStore } from '../dataset-store';
import { addAnswer, addQuestion, listEntries, markUnanswerable, type QaEntry } from '../logic/workspace-dataset';
import { relativeDocumentPath } from '../settings';

function annotatableEditor(store: DatasetStore): { editor: vscode.TextEditor; path: string } {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new UserError('Open a document and select the answer first');
  const path = relativeDocumentPath(store.folder, editor.document.uri);
  if (!path) throw new UserError(`${editor.document.uri.fsPath} is not a file in the workspace folder ${store.folder.uri.fsPath}`);
  if (editor.document.isUntitled) throw new UserError('Save the document before annotating it');
  return { editor, path };
}

function selectionSpan(editor: vscode.TextEditor) {
  const { document, selection } = editor;
  return { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) };
}

/** `spantune.addQuestion [question]`: the argument skips the input box (tests, keybindings with args). */
export async function addQuestionForSelection(store: DatasetStore, questionArg?: unknown): Promise<string | undefined> {
  const { editor, path } = annotatableEditor(store);
  const selection = selectionSpan(editor);
  if (selection.end <= selection.start) throw new UserError('Select the answer text in the editor first');
  const answerText = editor.document.getText(editor.selection);
  const question =
    typeof questionArg === 'string'
      ? questionArg
      : await vscode.window.showInputBox({
          title: 'SpanTune: Add Question for Selection',
          prompt: `Which question does “${answerText.length > 60 ? answerText.slice(0, 57) + '…' : answerText}” answer?`,
          placeHolder: 'Type the question and press Enter',
          ignoreFocusOut: true,
          validateInput: (value) => (value.trim() ? undefined : 'The question is empty'),
        });
  if (question === undefined) return undefined;
  const qa = await store.mutate((dataset) => addQuestion(dataset, { path, documentText: editor.document.getText(), selection, question }));
  vscode.window.setStatusBarMessage(`$(check) SpanTune: question added — “${qa.question}”`, 4000);
  return qa.id;
}

async function pickQuestion(entries: QaEntry[], title: string, qaIdArg: unknown): Promise<QaEntry | undefined> {
  if (typeof qaIdArg === 'string') {
    const found = entries.find((e) => e.id === qaIdArg);
    if (!found) throw new UserError(`No question with id "${qaIdArg}" here`);
    return found;
  }
  if (entries.length === 0) throw new UserError('There are no questions for this passage yet; add one first');
  const picked = await vscode.window.showQuickPick(
    entries.map((e) => ({ label: e.question, description: e.isImpossible ? 'unanswerable' : e.answers.map((a) => `“${a.text}”`).join(', '), entry: e })),
    { title, placeHolder: 'Pick the question' },
  );
  return picked?.entry;
}

/** Adds the selection as another accepted answer to a question of the same passage. */
export async function addAnotherAnswer(store: DatasetStore, qaIdArg?: unknown): Promise<void> {
  const { editor, path } = annotatableEditor(store);
  const selection = selectionSpan(editor);
  const candidates = listEntries(store.dataset).filter(
    (e) => e.path === path && e.passageStart !== undefined && e.passageStart <= selection.start && selection.end <= (e.passageEnd ?? -1),
  );
  const entry = await pickQuestion(candidates, 'SpanTune: Accept the selection as another answer to…', qaIdArg);
  if (!entry) return;
  await store.mutate((dataset) => addAnswer(dataset, entry.id, { path, documentText: editor.document.getText(), selection }));
  vscode.window.setStatusBarMessage(`$(check) SpanTune: answer added to “${entry.question}”`, 4000);
}

/** Marks a question of the passage at the cursor as not answered by that passage. */
export async function markQuestionUnanswerable(store: DatasetStore, qaIdArg?: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const path = editor ? relativeDocumentPath(store.folder, editor.document.uri) : undefined;
  const offset = editor ? editor.document.offsetAt(editor.selection.active) : -1;
  const entries = listEntries(store.dataset).filter((e) => !e.isImpossible);
  const here = entries.filter((e) => e.path === path && (e.passageStart ?? Infinity) <= offset && offset <= (e.passageEnd ?? -1));
  const entry = await pickQuestion(here.length > 0 ? here : entries, 'SpanTune: Mark unanswerable for its passage', qaIdArg);
  if (!entry) return;
  await store.mutate((dataset) => markUnanswerable(dataset, entry.id));
  vscode.window.setStatusBarMessage(`SpanTune: “${entry.question}” is now unanswerable for its passage`, 4000);
}

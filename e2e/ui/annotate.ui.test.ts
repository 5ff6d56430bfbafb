/**
 * The user's path through the UI, against the packaged .vsix installed into code-server: open a
 * document, select an answer, add a question, see it highlighted, open the dataset panel, jump from
 * a question back to its answer. Screenshots: test-artifacts/screenshots/annotate/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { panelShotPath, screenshot } from '../lib/browser';
import { openUiSession, type UiSession } from '../lib/session';
import { answerInputBox, checkPanelFits, decorations, openFile, runCommand, selectInEditor, statusBarText, webview, webviewElement } from '../lib/workbench';

const group = 'annotate';
let session: UiSession;
let page: Page;
let workspace: string;

before(async () => {
  session = await openUiSession('ui-annotate');
  ({ page, workspace } = session);
});

after(async () => {
  await session?.close();
});

type SavedQa = { question: string; answers: { text: string }[] };

function savedQuestions(): SavedQa[] {
  const saved = JSON.parse(readFileSync(path.join(workspace, '.spantune', 'dataset.json'), 'utf8'));
  return saved.data.flatMap((a: { paragraphs: { qas: SavedQa[] }[] }) => a.paragraphs.flatMap((p) => p.qas));
}

/** The saved pair with this question: the highlight shows the store's memory, the file follows it moments later. */
async function waitForSavedQuestion(question: string, timeoutMs = 10_000): Promise<SavedQa | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const qa = savedQuestions().find((q) => q.question === question);
    if (qa || Date.now() > deadline) return qa;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('the installed extension contributes its activity bar view', async () => {
  await page.locator('.activitybar [aria-label^="SpanTune"]').first().waitFor({ state: 'visible', timeout: 30_000 });
  await screenshot(page, group, 'workbench');
});

test('select a span, type "SpanTune: Add Question": the common command comes first and Enter runs it; the answer is highlighted', async () => {
  await openFile(page, 'docs/tokenizer.md');
  const before = await decorations(page).count();
  await selectInEditor(page, 'WordPiece units');
  await screenshot(page, group, 'selected-answer');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>SpanTune: Add Question');
  const first = page.locator('.quick-input-list .monaco-list-row').first();
  await first.waitFor({ state: 'visible' });
  await screenshot(page, group, 'palette-add-question');
  assert.match((await first.innerText()).replace(/\s+/g, ' '), /SpanTune: Add Question for Selection/);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget', { hasText: 'Which question does “WordPiece units” answer?' }).waitFor({ state: 'visible', timeout: 10_000 });
  await answerInputBox(page, 'What does the tokenizer split words into?');
  await page.waitForFunction((n) => document.querySelectorAll('.monaco-editor [class*="ced-"]').length > n, before, { timeout: 20_000 });
  await screenshot(page, group, 'answer-highlighted');
  const qa = await waitForSavedQuestion('What does the tokenizer split words into?');
  assert.ok(qa, 'the question is saved in .spantune/dataset.json within 10 s');
  assert.deepEqual(qa.answers.map((a) => a.text), ['WordPiece units']);
});

test('the dataset panel lists the question; clicking it selects the answer in the editor', async () => {
  await runCommand(page, 'SpanTune: Open Dataset');
  const frame = webview(page);
  const question = frame.getByText('What does the tokenizer split words into?');
  await question.waitFor({ state: 'visible', timeout: 30_000 });
  const counts = await frame.locator('#counts').innerText();
  assert.match(counts, /4 questions/);
  await screenshot(page, group, 'dataset-panel');
  // At the default split (about 520 px) every row fits: the Reject button of the generated pair is
  // inside the panel, and a passage shown whole does not end with "…".
  const { width } = await checkPanelFits(page, panelShotPath('dataset-panel'));
  assert.ok(width >= 480 && width <= 600, `the panel is ${width} px wide`);
  const panelBox = (await webviewElement(page).boundingBox())!;
  const reject = frame.locator('article[data-id="seed-decay"] vscode-button', { hasText: 'Reject' });
  const rejectBox = await reject.boundingBox();
  assert.ok(rejectBox && rejectBox.x >= panelBox.x && rejectBox.x + rejectBox.width <= panelBox.x + panelBox.width, `Reject at ${JSON.stringify(rejectBox)} inside the panel ${JSON.stringify(panelBox)}`);
  const passages = await frame.locator('blockquote').allInnerTexts();
  assert.ok(passages.length >= 2);
  for (const text of passages) if (text.length < 150) assert.doesNotMatch(text, /…$/, `a whole passage: ${text}`);
  await frame.getByText('Which optimizer does fine-tuning use?').click();
  await page.locator('.tab[data-resource-name="training.md"]').first().waitFor({ state: 'visible' });
  await page.waitForFunction(() => /\(5 selected\)/.test(document.querySelector('.part.statusbar')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.match(await statusBarText(page), /\(5 selected\)/);
  await screenshot(page, group, 'answer-revealed');
});

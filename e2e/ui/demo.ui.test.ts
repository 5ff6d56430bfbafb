/**
 * The demo `npm start` opens, for real: the demo workspace (demo/workspace with its model created
 * by prepareDemoWorkspace, as scripts/start.ts does) in code-server with the installed .vsix.
 * Generate QA Pairs finds pairs in the demo's documents; Fine-tune on Workspace with the demo's
 * settings learns from random weights (the loss falls, validation F1 rises); the trained model then
 * answers a question it was trained on with the exact answer, highlighted in the editor.
 * Screenshots: test-artifacts/screenshots/demo/ and test-artifacts/panels-520px/.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { prepareDemoWorkspace } from '../../scripts/demo/workspace';
import { panelShotPath, screenshot } from '../lib/browser';
import { openUiSession, type UiSession } from '../lib/session';
import { checkPanelFits, decorations, openFile, runCommand, statusBarText, webview } from '../lib/workbench';

const group = 'demo';
/** A question of the demo dataset's training split, and its answer in docs/glossary.txt. */
const TRAINED = { file: 'docs/glossary.txt', question: 'What is the ebb?', answer: 'the falling tide' };
let session: UiSession;
let page: Page;

before(async () => {
  session = await openUiSession('ui-demo', async (workspace) => {
    rmSync(workspace, { recursive: true, force: true });
    await prepareDemoWorkspace(workspace);
  });
  ({ page } = session);
});

after(async () => {
  await session?.close();
});

test('Generate QA Pairs from Workspace finds pairs in the demo documents', async () => {
  await runCommand(page, 'SpanTune: Generate QA Pairs from Workspace');
  const toast = page.locator('.notifications-toasts', { hasText: /new QA pair/ });
  await toast.waitFor({ state: 'visible', timeout: 180_000 });
  const text = await toast.innerText();
  const [, added, files] = /(\d+) new QA pair\S* from (\d+) file/.exec(text) ?? [];
  assert.ok(Number(added) >= 30 && Number(files) === 15, text);
  await screenshot(page, group, 'generated');
});

test('Fine-tune on Workspace: the plan estimates the time from windows; the model learns', async () => {
  await openFile(page, TRAINED.file);
  await page.waitForTimeout(1000);
  await runCommand(page, 'SpanTune: Fine-tune on Workspace');
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.locator('.monaco-button', { hasText: 'Start Training' }).waitFor({ state: 'visible', timeout: 30_000 });
  const plan = await dialog.innerText();
  // Each demo document with its question fits one window: as many windows as questions.
  const [, questions, windows] = /on (\d+) question\(s\) \((\d+) windows of up to 256 tokens\)/.exec(plan) ?? [];
  assert.ok(questions && questions === windows, plan);
  assert.match(plan, /Time: about \d+ (s|min)/, plan);
  await screenshot(page, group, 'training-plan');
  const started = Date.now();
  await dialog.locator('.monaco-button', { hasText: 'Start Training' }).click();
  const frame = webview(page);
  await frame.locator('#run-status', { hasText: /running|finished/ }).waitFor({ timeout: 60_000 });
  await frame.locator('#run-status', { hasText: /finished|failed|cancelled/ }).waitFor({ timeout: 900_000 });
  const seconds = (Date.now() - started) / 1000;
  assert.match(await frame.locator('#run-status').innerText(), /finished/);
  const scores = await frame.locator('.stat', { hasText: 'fine-tuned EM / F1' }).innerText();
  const base = await frame.locator('.stat', { hasText: 'base EM / F1' }).innerText();
  console.log(`[demo] training took ${seconds.toFixed(0)} s; base ${base.replace(/\s+/g, ' ')}; ${scores.replace(/\s+/g, ' ')}`);
  const [, baseF1] = /\/ ([\d.]+)/.exec(base)!;
  const [, bestF1] = /\/ ([\d.]+)/.exec(scores)!;
  assert.ok(Number(bestF1) > Number(baseF1) + 10, `validation F1 ${baseF1} → ${bestF1}`);
  assert.ok(Number((await frame.locator('#last-loss').innerText()).trim()) < 1.5, 'the loss fell from about 5.5');
  await screenshot(page, group, 'dashboard-finished');
  await checkPanelFits(page, panelShotPath('dashboard-demo'));
});

test('the trained model answers a trained question with its exact answer, highlighted in the editor', async () => {
  await openFile(page, TRAINED.file);
  const before = await decorations(page).count();
  await runCommand(page, 'SpanTune: Ask a Question about This File');
  const frame = webview(page);
  await frame.locator('#question').waitFor({ state: 'visible', timeout: 30_000 });
  // The newest run's final model is chosen when none was made active.
  await frame.locator('#model', { hasText: /final model/ }).waitFor({ timeout: 10_000 });
  await frame.locator('#question').click();
  await page.keyboard.type(TRAINED.question);
  await frame.locator('#ask').click();
  const top = frame.locator('a.top-answer').first();
  await top.waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal((await top.innerText()).trim(), TRAINED.answer);
  await top.click();
  await page.waitForFunction((n) => document.querySelectorAll('.monaco-editor [class*="ced-"]').length > n, before, { timeout: 20_000 });
  await page.waitForFunction(() => /selected\)/.test(document.querySelector('.part.statusbar')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.match(await statusBarText(page), new RegExp(`\\(${TRAINED.answer.length} selected\\)`));
  await screenshot(page, group, 'trained-model-answers');
  await checkPanelFits(page, panelShotPath('qa-panel-demo'));
});

/**
 * The user's path through training and asking, against the installed .vsix with the tiny fixture
 * model: Fine-tune on Workspace, watch the dashboard's curves move, ask in the QA panel and see the
 * answer highlighted in the editor, start another run and cancel it.
 * Screenshots: test-artifacts/screenshots/train-and-ask/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { panelShotPath, screenshot } from '../lib/browser';
import { copyFixtureModel } from '../lib/paths';
import { openUiSession, type UiSession } from '../lib/session';
import { checkPanelFits, decorations, openFile, runCommand, statusBarText, webview } from '../lib/workbench';

const group = 'train-and-ask';
const fixtureModel = copyFixtureModel();
let session: UiSession;
let page: Page;
let workspace: string;

function writeSettings(extra: Record<string, unknown> = {}): void {
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const settings = { 'spantune.baseModel': fixtureModel, 'spantune.maxSeqLength': 128, 'spantune.docStride': 64, 'spantune.batchSize': 1, 'spantune.epochs': 3, 'spantune.learningRate': 0.001, 'spantune.includeUnreviewed': true, 'spantune.validationSplit': 0, ...extra };
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
}

before(async () => {
  assert.ok(existsSync(path.join(fixtureModel, 'config.json')), `fixture model at ${fixtureModel}`);
  session = await openUiSession('ui-train', (copied) => {
    workspace = copied;
    writeSettings();
  });
  ({ page } = session);
});

after(async () => {
  await session?.close();
});

async function startTrainingFromPalette(): Promise<void> {
  await page.waitForTimeout(1500); // lets the settings file watcher deliver changes
  await runCommand(page, 'SpanTune: Fine-tune on Workspace');
  const start = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Start Training' });
  try {
    await start.waitFor({ state: 'visible', timeout: 20_000 });
  } catch (error) {
    await screenshot(page, group, 'no-training-plan');
    throw new Error(`no training plan dialog; notifications: ${await page.locator('.notifications-toasts').innerText().catch(() => '')}`, { cause: error });
  }
  await screenshot(page, group, 'training-plan');
  await start.click();
}

test('Fine-tune on Workspace: the dashboard curves move and the run finishes', async () => {
  writeSettings({ 'spantune.epochs': 20 });
  await openFile(page, 'docs/training.md');
  await startTrainingFromPalette();
  const frame = webview(page);
  const step = frame.locator('#step');
  await frame.locator('#run-status').waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForTimeout(200);
  const seen = new Set<string>();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const text = (await step.innerText().catch(() => '')).trim();
    if (/^\d+ \//.test(text)) seen.add(text);
    if (seen.size === 3) await screenshot(page, group, 'dashboard-live');
    if (/finished|failed|cancelled/.test(await frame.locator('#run-status').innerText())) break;
    if (Date.now() > deadline) throw new Error(`the run did not end within 120 s (steps seen: ${[...seen].join(', ')})`);
    await page.waitForTimeout(150);
  }
  await screenshot(page, group, 'dashboard-after-run');
  assert.ok(seen.size >= 2, `the step counter moved: ${[...seen].join(', ')} (run: ${await frame.locator('#run-status').innerText()})`);
  assert.match(await frame.locator('#run-status').innerText(), /finished/);
  // Chart.js drew the loss curve on its canvas.
  const canvasPainted = await frame.locator('#loss').evaluate((canvas) => (canvas as HTMLCanvasElement).toDataURL().length);
  assert.ok(canvasPainted > 5000, `the loss canvas is drawn (${canvasPainted} bytes)`);
  assert.notEqual((await frame.locator('#last-loss').innerText()).trim(), '–');
  assert.match(await frame.locator('#backend').innerText(), /wasm|cpu|tensorflow/);
  // Whole steps on the x axes, and EM/F1 on 0–100 whatever the scores.
  for (const id of ['loss', 'lr', 'scores']) {
    const ticks = (await frame.locator(`#${id}`).getAttribute('data-x-ticks'))!.split(' ').map(Number);
    assert.ok(ticks.length >= 2 && ticks.every(Number.isInteger), `#${id} step ticks: ${ticks.join(', ')}`);
  }
  assert.equal(await frame.locator('#scores').getAttribute('data-y-range'), '0 100');
  // The backend's skip reasons take one short line (the reasons are in the output channel).
  const why = frame.locator('#backend-why');
  assert.ok((await why.evaluate((el) => el.getBoundingClientRect().height)) < 30, 'one line');
  // Names only (e.g. "cuda, webgpu skipped"), never the reasons themselves.
  const whyText = (await why.innerText()).trim();
  assert.match(whyText, /^(the first choice loaded|[\w-]+(, [\w-]+)* skipped \(reasons in Output › SpanTune\))$/, whyText);
  assert.doesNotMatch(whyText, /cannot|not installed|no GPU/i);
  await checkPanelFits(page, panelShotPath('dashboard'));
  await screenshot(page, group, 'dashboard-finished');
});

test('Ask a Question about This File: the answer is highlighted in the editor', async () => {
  await openFile(page, 'docs/training.md');
  const before = await decorations(page).count();
  await runCommand(page, 'SpanTune: Ask a Question about This File');
  const frame = webview(page);
  const question = frame.locator('#question input, #question').first();
  await frame.locator('#question').waitFor({ state: 'visible', timeout: 30_000 });
  await frame.locator('#question').click();
  await page.keyboard.type('Which optimizer does fine-tuning use?');
  await frame.locator('#ask').click();
  void question;
  const top = frame.locator('.top-answer').first();
  await top.waitFor({ state: 'visible', timeout: 60_000 });
  await screenshot(page, group, 'qa-answers');
  // The panel at the default split: labels apart, the backend on one short line, nothing overflowing.
  await checkPanelFits(page, panelShotPath('qa-panel'));
  assert.equal((await frame.locator('#file').innerText()).trim(), 'docs/training.md');
  const labels = await frame.locator('.field-label').allInnerTexts();
  assert.deepEqual(labels, ['Look in:', 'Model:']);
  const backendLine = frame.locator('#backend-line');
  assert.ok((await backendLine.evaluate((el) => el.getBoundingClientRect().height)) < 30, 'the backend takes one line');
  // The installed .vsix carries ONNX Runtime for this platform, and the panel names it in one line.
  assert.match(await backendLine.innerText(), /onnxruntime cpu, \d+ threads?\b/);
  // The model's best span, or, when it judges the file not to answer, its best candidate span: a
  // click on it selects exactly that text in the editor and marks it.
  let answer = top;
  if (!(await top.evaluate((el) => el.tagName === 'A'))) {
    await frame.locator('details summary').first().click();
    answer = frame.locator('details a.answer').first();
  }
  // The link's own text (innerText would fold a line break and the spaces after it into one space).
  const text = await answer.evaluate((el) => el.textContent ?? '');
  assert.ok(text.trim().length > 0, 'an answer to click');
  await answer.click();
  await page.waitForFunction((n) => document.querySelectorAll('.monaco-editor [class*="ced-"]').length > n, before, { timeout: 20_000 });
  await page.waitForFunction(() => /selected\)/.test(document.querySelector('.part.statusbar')?.textContent ?? ''), undefined, { timeout: 10_000 });
  assert.match(await statusBarText(page), new RegExp(`\\(${text.length} selected\\)`));
  await screenshot(page, group, 'answer-highlighted');
});

test('Cancel a run from the dashboard', async () => {
  writeSettings({ 'spantune.epochs': 300 });
  await page.waitForTimeout(1500); // the settings file watcher
  await runCommand(page, 'SpanTune: Open Training Dashboard');
  await startTrainingFromPalette();
  const frame = webview(page);
  const cancel = frame.locator('#cancel');
  await cancel.waitFor({ state: 'visible', timeout: 60_000 }).catch(async (error) => {
    await screenshot(page, group, 'no-cancel-button');
    throw error;
  });
  await frame.locator('#step', { hasText: /^\d+ \// }).waitFor({ timeout: 60_000 });
  await screenshot(page, group, 'before-cancel');
  await cancel.click();
  await frame.locator('#run-status', { hasText: /cancelled|failed/ }).waitFor({ timeout: 60_000 });
  await screenshot(page, group, 'cancelled');
  assert.match(await frame.locator('#run-status').innerText(), /cancelled/);
  await frame.locator('#resume').waitFor({ state: 'visible' });
});

/**
 * Review at scale in the Dataset panel, against the packaged .vsix: generated pairs show their
 * generator and round-trip result, sort by it, and one click accepts those that passed.
 * Screenshots: test-artifacts/screenshots/review/.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { screenshot } from '../lib/browser';
import { openUiSession, type UiSession } from '../lib/session';
import { runCommand, webview } from '../lib/workbench';

const group = 'review';
let session: UiSession;
let page: Page;
let workspace: string;

type Qa = { id: string; question: string; reviewed?: boolean; [key: string]: unknown };

/** Generated pairs about docs/training.md with round-trip results, as a generation with roundTrip "mark" leaves them. */
function writeReviewDataset(root: string): void {
  const text = readFileSync(path.join(root, 'docs', 'training.md'), 'utf8');
  const context = text.slice(text.indexOf('Fine-tuning'), text.indexOf('Validation') - 2);
  const start = text.indexOf(context);
  const pair = (id: string, question: string, answer: string, generator: string, roundTrip?: { answer: string; f1: number; passed: boolean }) => ({
    id, question, answers: [{ text: answer, answer_start: context.indexOf(answer) }], is_impossible: false,
    origin: 'generated', reviewed: false, generator, ...(roundTrip ? { roundTrip: { model: 'run 3', ...roundTrip } } : {}),
  });
  const dataset = {
    version: 'v2.0',
    data: [{ title: 'docs/training.md', paragraphs: [{ context, source: { path: 'docs/training.md', start, end: start + context.length, sha256: 'x' }, qas: [
      pair('g1', 'Which optimizer does fine-tuning use?', 'AdamW', 'entity', { answer: 'the AdamW optimizer', f1: 0.667, passed: true }),
      pair('g2', 'How does the learning rate decay?', 'linearly to zero', 'llm', { answer: 'linearly to zero', f1: 1, passed: true }),
      pair('g3', 'What is warmed up over the first tenth?', 'linear warmup', 'definition', { answer: 'AdamW', f1: 0, passed: false }),
      pair('g4', 'Over which part of the steps does the warmup run?', 'the first tenth of the steps', 'heading'),
    ] }] }],
  };
  writeFileSync(path.join(root, '.spantune', 'dataset.json'), JSON.stringify(dataset, null, 2));
}

before(async () => {
  session = await openUiSession('ui-review', writeReviewDataset);
  ({ page, workspace } = session);
});

after(async () => {
  await session?.close();
});

function savedQuestions(): Qa[] {
  const saved = JSON.parse(readFileSync(path.join(workspace, '.spantune', 'dataset.json'), 'utf8'));
  return saved.data.flatMap((a: { paragraphs: { qas: Qa[] }[] }) => a.paragraphs.flatMap((p) => p.qas));
}

test('the panel shows each pair\'s generator and round-trip result, and sorts by the result', async () => {
  await runCommand(page, 'SpanTune: Open Dataset');
  const frame = webview(page);
  await frame.getByText('Which optimizer does fine-tuning use?').waitFor({ state: 'visible', timeout: 30_000 });
  assert.equal(await frame.locator('.roundtrip.passed').count(), 2);
  assert.match(await frame.locator('.roundtrip.failed').innerText(), /✗ round trip F1 0\.00: the model found “AdamW”/);
  await frame.getByText('language model', { exact: true }).waitFor();
  await screenshot(page, group, 'dataset-with-round-trip');

  await frame.locator('#sort').click();
  await frame.getByRole('option', { name: 'round trip: worst F1 first' }).click();
  await page.waitForTimeout(300);
  const order = await frame.locator('article.qa').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
  assert.deepEqual(order, ['g3', 'g1', 'g2', 'g4']);
  await screenshot(page, group, 'sorted-worst-first');
  // The panel about 520 px wide (the sidebar takes the rest): every button still fits.
  await page.setViewportSize({ width: 860, height: 900 });
  await page.waitForTimeout(300);
  const panelWidth = await frame.locator('body').evaluate((body) => body.clientWidth);
  for (const id of ['#accept-passed', '#reject-shown']) {
    const right = await frame.locator(id).evaluate((el) => el.getBoundingClientRect().right);
    assert.ok(right <= panelWidth, `${id} ends at ${right} px, inside the ${panelWidth} px panel`);
  }
  await screenshot(page, group, 'narrow-panel');
});

test('"Accept … that passed the round trip" accepts exactly those, and they are saved', async () => {
  const frame = webview(page);
  const button = frame.locator('#accept-passed');
  assert.match(await button.innerText(), /Accept 2 shown that passed the round trip/);
  await button.click();
  const deadline = Date.now() + 15_000;
  while (savedQuestions().filter((q) => q.reviewed).length < 2 && Date.now() < deadline) await page.waitForTimeout(200);
  assert.deepEqual(Object.fromEntries(savedQuestions().map((q) => [q.id, q.reviewed])), { g1: true, g2: true, g3: false, g4: false });
  await frame.locator('#accept-passed').waitFor({ state: 'detached' });
  await screenshot(page, group, 'passed-accepted');
});

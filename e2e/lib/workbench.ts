/** The user's gestures in the VS Code workbench, through Playwright. */
import type { FrameLocator, Page } from 'playwright-core';

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // The explorer shows once the workspace and the extension host are up.
  await page.waitForSelector('.explorer-folders-view, .monaco-workbench .part.sidebar', { timeout: 60_000 });
}

/**
 * Waits until SpanTune's contributions are in the workbench (its activity bar view is there): before
 * that, the command palette does not list its commands yet (seen on shared cores).
 */
export async function waitForSpanTune(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="SpanTune"]').first().waitFor({ state: 'visible', timeout: 120_000 });
}

/** F1, `>Title`, first match. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').first();
  await row.waitFor({ state: 'visible' });
  const label = (await row.textContent()) ?? '';
  if (!label.toLowerCase().includes(title.toLowerCase().replace(/^.*?: /, ''))) throw new Error(`"${title}" is not in the command palette (first match: "${label}")`);
  await page.keyboard.press('Enter');
}

export async function openFile(page: Page, relativePath: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(relativePath);
  await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator(`.tab[data-resource-name="${relativePath.split('/').pop()}"]`).first().waitFor({ state: 'visible' });
  await page.locator('.monaco-editor .view-lines').first().click();
}

/** Selects the first occurrence of `text` in the active editor with the find widget. */
export async function selectInEditor(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+F');
  const find = page.locator('.find-widget .input').first();
  await find.waitFor({ state: 'visible' });
  await find.fill(text);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
}

/** Answers the input box a command opened. */
export async function answerInputBox(page: Page, value: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible' });
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/** The document of the visible webview (VS Code nests it in two iframes; hidden panels keep theirs). */
export function webview(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).last().contentFrame().frameLocator('#active-frame');
}

/** Editor decorations are `.cdr` overlays or inline spans with a generated `ced-…` class. */
export function decorations(page: Page) {
  return page.locator('.monaco-editor [class*="ced-"]');
}

export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' ');
}

/** The visible webview's frame element (its size is the panel's size). */
export function webviewElement(page: Page) {
  return page.locator('iframe.webview.ready').filter({ visible: true }).last();
}

/**
 * Checks that the visible webview panel (about 520 px wide beside an editor at the default split)
 * shows its content without sideways overflow, and saves a picture of the panel alone.
 */
export async function checkPanelFits(page: Page, file: string): Promise<{ width: number }> {
  const element = webviewElement(page);
  const box = await element.boundingBox();
  if (!box) throw new Error('no visible webview');
  const { scrollWidth, clientWidth } = await webview(page)
    .locator('body')
    .evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  await element.screenshot({ path: file });
  if (scrollWidth > clientWidth) throw new Error(`the panel (${clientWidth} px wide) overflows sideways: ${scrollWidth} px of content`);
  return { width: box.width };
}

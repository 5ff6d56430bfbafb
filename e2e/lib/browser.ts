/** Debian's Chromium, headless, driven by playwright-core; a fresh profile per launch. */
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath, screenshotsDir } from './paths';
import { mkdirSync } from 'node:fs';

export async function launchBrowser(scratch: string): Promise<{ browser: BrowserContext; page: Page }> {
  mkdirSync(scratch, { recursive: true });
  const profile = mkdtempSync(path.join(scratch, 'chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  return { browser, page };
}

let shot = 0;
/** Saves a numbered screenshot of the whole window under test-artifacts/screenshots/<group>/. */
export async function screenshot(page: Page, group: string, name: string): Promise<string> {
  const dir = path.join(screenshotsDir, group);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Where the pictures of the panels at the default split width go: test-artifacts/panels-520px/<name>.png. */
export function panelShotPath(name: string): string {
  const dir = path.join(screenshotsDir, '..', 'panels-520px');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, `${name}.png`);
}

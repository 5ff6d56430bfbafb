/**
 * One UI session for the Playwright specs: a fresh copy of the fixture workspace, the packaged .vsix
 * installed into its own code-server, and headless Chromium showing the workbench with SpanTune loaded.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './browser';
import { installExtension, startCodeServer, type CodeServer } from './code-server';
import { repoRoot, scratchRoot } from './paths';
import { waitForSpanTune, waitForWorkbench } from './workbench';

export const vsixPath = process.env.SPANTUNE_VSIX ?? path.join(scratchRoot, 'spantune.vsix');

export interface UiSession {
  workspace: string;
  server: CodeServer;
  browser: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** `prepare` runs on the copied workspace before code-server opens it (e.g. to write settings). */
export async function openUiSession(name: string, prepare?: (workspace: string) => void | Promise<void>): Promise<UiSession> {
  assert.ok(existsSync(vsixPath), `${vsixPath} exists (scripts/package-vsix.sh builds it)`);
  const scratch = path.join(scratchRoot, `${name}-${process.pid}`);
  const workspace = path.join(scratch, 'workspace');
  rmSync(scratch, { recursive: true, force: true });
  cpSync(path.join(repoRoot, 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
  await prepare?.(workspace);
  await installExtension(vsixPath, path.join(scratch, 'extensions'), scratch);
  const server = await startCodeServer({ scratch });
  const { browser, page } = await launchBrowser(scratch);
  try {
    // Slow on shared cores: the workbench's first load can take more than Playwright's default 30 s.
    await page.goto(server.folderUrl(workspace), { timeout: 120_000 });
    await waitForWorkbench(page);
    await waitForSpanTune(page);
  } catch (error) {
    // Left running, code-server and Chromium would keep the spec's process (and the test run) alive.
    await browser.close().catch(() => undefined);
    await server.stop();
    throw error;
  }
  return {
    workspace,
    server,
    browser,
    page,
    close: async () => {
      await browser.close();
      await server.stop();
    },
  };
}

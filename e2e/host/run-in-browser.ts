/**
 * Receives the arguments @vscode/test-electron gives VS Code (--extensionDevelopmentPath=,
 * --extensionTestsPath=, the workspace folder; VSCODE_TEST_OPTIONS in the environment), starts
 * code-server with that environment, opens the workspace in headless Chromium with the development
 * extension and the test runner in the workbench payload, and exits with the code the workbench
 * reports through window.codeAutomationExit when the mocha run ends. This is how VS Code runs its
 * own browser integration tests.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { launchBrowser, screenshot } from '../lib/browser';
import { startCodeServer } from '../lib/code-server';
import { scratchRoot } from '../lib/paths';

const TIMEOUT_MS = Number(process.env.SPANTUNE_E2E_TIMEOUT_MS ?? 10 * 60_000);

function parseArgs(argv: string[]) {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const developmentPath = value('extensionDevelopmentPath');
  const testsPath = value('extensionTestsPath');
  const folder = argv.find((a) => !a.startsWith('-'));
  if (!developmentPath || !testsPath || !folder) {
    throw new Error(`expected --extensionDevelopmentPath=, --extensionTestsPath= and a workspace folder, got: ${argv.join(' ')}`);
  }
  return { developmentPath, testsPath, folder };
}

async function main(): Promise<number> {
  const { developmentPath, testsPath, folder } = parseArgs(process.argv.slice(2));
  const scratch = path.join(scratchRoot, `host-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  const started = Date.now();
  const server = await startCodeServer({ scratch });
  console.log(`[host-tests] code-server ready at ${server.url} in ${Date.now() - started} ms`);
  const { browser, page } = await launchBrowser(scratch);
  try {
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
      setTimeout(() => {
        console.error(`[host-tests] no result after ${TIMEOUT_MS / 1000} s`);
        resolve(1);
      }, TIMEOUT_MS).unref();
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: string) => {
      const test = /\[spantune-test\] ?([\s\S]*)/.exec(message);
      if (test) console.log(test[1]);
      else if (level === 'error' || process.env.SPANTUNE_E2E_VERBOSE) console.log(`[workbench ${level}] ${message}`);
    });
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    await page.goto(
      server.folderUrl(folder, [
        ['extensionDevelopmentPath', server.remoteUri(developmentPath)],
        ['extensionTestsPath', server.remoteUri(testsPath)],
      ]),
    );
    const code = await exitCode;
    await screenshot(page, 'host-tests', code === 0 ? 'finished' : 'failed').catch(() => undefined);
    console.log(`[host-tests] finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code !== 0) console.log(server.output().split('\n').slice(-40).join('\n'));
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

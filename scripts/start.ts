/**
 * `npm start`: builds and packages the extension, installs it into code-server (a real VS Code),
 * prepares the demo workspace (demo/workspace, with a small demo model created in it and checked),
 * and serves it on 127.0.0.1. Prints the URL; Ctrl+C stops it. PORT=… picks the port (default 8080,
 * or a free one); SPANTUNE_DEMO_FRESH=1 starts the demo workspace over. Uses nothing outside the
 * repository but what scripts/setup-e2e.sh installs (see the README).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort, installExtension, startCodeServer } from '../e2e/lib/code-server';
import { repoRoot, scratchRoot } from '../e2e/lib/paths';
import { prepareDemoWorkspace } from './demo/workspace';

async function portToUse(): Promise<number> {
  if (process.env.PORT) return Number(process.env.PORT);
  const probe = await fetch('http://127.0.0.1:8080/healthz').then(
    () => true,
    () => false,
  );
  return probe ? freePort() : 8080;
}

async function main(): Promise<void> {
  const log = (line: string) => console.error(`[start] ${line}`);
  const run = (file: string, args: string[] = []) => execFileSync(file, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  // code-server only: the demo opens in your own browser, so Chromium (for the tests) is not needed.
  run(path.join(repoRoot, 'scripts', 'setup-e2e.sh'), ['--no-browser']);
  const scratch = path.join(scratchRoot, 'start');
  const vsix = path.join(scratchRoot, 'spantune.vsix');
  log('packaging the extension');
  run(path.join(repoRoot, 'scripts', 'package-vsix.sh'), [vsix]);
  await installExtension(vsix, path.join(scratch, 'extensions'), scratch);
  // Kept between starts, so that annotations and runs survive a restart.
  const workspace = path.join(scratchRoot, 'demo-workspace');
  const { modelDir } = await prepareDemoWorkspace(workspace, { fresh: process.env.SPANTUNE_DEMO_FRESH === '1', log });
  log(`demo workspace ${workspace} (model ${path.relative(workspace, modelDir)}) checked`);
  const server = await startCodeServer({ scratch, port: await portToUse() });
  console.log(
    `\nSpanTune is running in VS Code (code-server) with the demo workspace:\n\n  ${server.folderUrl(workspace)}\n\n` +
      'Try: SpanTune: Generate QA Pairs from Workspace, then SpanTune: Fine-tune on Workspace, then\n' +
      'SpanTune: Ask a Question about This File in docs/glossary.txt: "What is the ebb?" (the tour: README.md, The demo).\n\nPress Ctrl+C to stop.',
  );
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(`[start] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

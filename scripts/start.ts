/**
 * `npm start`: builds and packages the extension, installs it into code-server (a real VS Code),
 * prepares a small demo workspace configured with the tiny fixture model, and serves it on
 * 127.0.0.1. Prints the URL; Ctrl+C stops it. PORT=… picks the port (default 8080, or a free one).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort, installExtension, startCodeServer } from '../e2e/lib/code-server';
import { fixtureModel, repoRoot, scratchRoot } from '../e2e/lib/paths';

async function portToUse(): Promise<number> {
  if (process.env.PORT) return Number(process.env.PORT);
  const probe = await fetch('http://127.0.0.1:8080/healthz').then(
    () => true,
    () => false,
  );
  return probe ? freePort() : 8080;
}

/** The demo workspace is created once and kept, so that annotations survive restarts. */
function demoWorkspace(): string {
  const workspace = path.join(scratchRoot, 'demo-workspace');
  if (!existsSync(workspace)) cpSync(path.join(repoRoot, 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const settings = {
    'spantune.baseModel': fixtureModel,
    'spantune.maxSeqLength': 128,
    'spantune.docStride': 64,
    'spantune.batchSize': 4,
    'spantune.epochs': 2,
    'spantune.learningRate': 1e-3,
  };
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return workspace;
}

async function main(): Promise<void> {
  const run = (file: string, args: string[] = []) => execFileSync(file, args, { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  run(path.join(repoRoot, 'scripts', 'setup-e2e.sh'));
  const scratch = path.join(scratchRoot, 'start');
  const vsix = path.join(scratchRoot, 'spantune.vsix');
  console.error('[start] packaging the extension');
  run(path.join(repoRoot, 'scripts', 'package-vsix.sh'), [vsix]);
  await installExtension(vsix, path.join(scratch, 'extensions'), scratch);
  const workspace = demoWorkspace();
  const server = await startCodeServer({ scratch, port: await portToUse() });
  console.log(`\nSpanTune is running in VS Code (code-server) with the demo workspace:\n\n  ${server.folderUrl(workspace)}\n\nPress Ctrl+C to stop.`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

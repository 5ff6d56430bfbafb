/**
 * The `spantune` command as a user runs it, built from the current sources: the CLI and engine-process
 * bundles (esbuild.mjs's settings, scripts/node-bundles.cjs) go into a fresh folder with a copy of
 * bin/spantune.js beside them. Tests never run dist/, which may be stale or being rebuilt.
 * The folder sits in node_modules/.cache so that packages left out of the bundle still resolve.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import * as esbuild from 'esbuild';
import { nodeProgramBuilds } from '../../scripts/node-bundles.cjs';

const repoRoot = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BuiltCli {
  /** The copy of bin/spantune.js, which requires ../dist/cli.js. */
  bin: string;
  /** Runs `spantune ...args` in a child process (never blocking this one, so the engine it starts can run). */
  run(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
}

let built: Promise<BuiltCli> | undefined;
const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Builds once per test file; the folder is removed when the file's tests end. */
export function buildCli(): Promise<BuiltCli> {
  built ??= build();
  return built;
}

async function build(): Promise<BuiltCli> {
  const cacheDir = path.join(repoRoot, 'node_modules/.cache');
  mkdirSync(cacheDir, { recursive: true });
  const root = mkdtempSync(path.join(cacheDir, 'spantune-cli-test-'));
  folders.push(root);
  const dist = path.join(root, 'dist');
  // esbuild.mjs's own settings for the CLI and the engine process.
  await Promise.all(nodeProgramBuilds({ outdir: dist, root: repoRoot, logLevel: 'silent' }).map((options) => esbuild.build(options)));
  const wasmDir = path.join(repoRoot, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) cpSync(path.join(wasmDir, file), path.join(dist, file));
  mkdirSync(path.join(root, 'bin'));
  const bin = path.join(root, 'bin/spantune.js');
  copyFileSync(path.join(repoRoot, 'bin/spantune.js'), bin);

  const run = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
    new Promise<CliResult>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  return { bin, run };
}

/**
 * Starts code-server (a real VS Code 1.100 with a real extension host) on 127.0.0.1, offline and
 * quiet: its own profile, extensions folder, temp and XDG folders under one scratch folder, no
 * gallery, telemetry, update checks or welcome pages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { codeServerEntry } from './paths';

export interface CodeServer {
  url: string;
  port: number;
  /** Opens a folder; `payload` adds workbench options such as extensionDevelopmentPath. */
  folderUrl(folder: string, payload?: [string, string][]): string;
  /** A local path as the workbench's remote URI. */
  remoteUri(localPath: string): string;
  output(): string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Folder for the profile, extensions, temp and XDG dirs (created). */
  scratch: string;
  /** Extensions folder (default: <scratch>/extensions). */
  extensionsDir?: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Print code-server's output as it comes (npm start). */
  inheritOutput?: boolean;
}

export const quietSettings: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'npm.autoDetect': 'off',
  'workbench.colorTheme': 'Default Dark Modern',
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function scratchEnv(scratch: string): NodeJS.ProcessEnv {
  const dirs = { TMPDIR: path.join(scratch, 'tmp'), XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_DATA_HOME: path.join(scratch, 'data') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!existsSync(codeServerEntry)) throw new Error(`code-server is not installed (${codeServerEntry}); run scripts/setup-e2e.sh`);
  const port = options.port ?? (await freePort());
  const userDataDir = path.join(options.scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(options.scratch, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...options.settings }, null, 2));
  const args = [
    codeServerEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, ...scratchEnv(options.scratch), EXTENSIONS_GALLERY: '{}', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.inheritOutput) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, child, () => output);
  const remoteUri = (localPath: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(localPath)}`;
  return {
    url,
    port,
    remoteUri,
    folderUrl: (folder, payload) => {
      const query = new URLSearchParams({ folder: path.resolve(folder) });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${url}/?${query.toString()}`;
    },
    output: () => output,
    stop: () => stopProcess(child),
  };
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`code-server did not answer ${url}/healthz within 60 s:\n${output()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Installs a .vsix into an extensions folder with code-server's own CLI. */
export async function installExtension(vsix: string, extensionsDir: string, scratch: string): Promise<void> {
  mkdirSync(extensionsDir, { recursive: true });
  const child = spawn(process.execPath, [codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(scratch, 'user-data'), '--install-extension', vsix, '--force'], {
    env: { ...process.env, ...scratchEnv(scratch), EXTENSIONS_GALLERY: '{}' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !/successfully installed/i.test(output)) throw new Error(`Installing ${vsix} failed (exit ${code}):\n${output}`);
}

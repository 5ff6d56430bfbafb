/**
 * Installing the native TensorFlow backends on demand ("SpanTune: Set Up Accelerated Engine",
 * `spantune setup-engine`): checks that this machine can run them, installs the npm package into a
 * folder of SpanTune's own, and checks that it loads, in a child process so that a native crash
 * cannot take the caller down. The engine looks in that folder first (see select.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { UserError } from '../errors';

export type NativeKind = 'gpu' | 'cpu';

export const NATIVE_PACKAGES: Record<NativeKind, string> = {
  gpu: '@tensorflow/tfjs-node-gpu',
  cpu: '@tensorflow/tfjs-node',
};
/** Must equal the version of @tensorflow/tfjs the engine is built with: one engine, one tfjs-core. */
export const NATIVE_VERSION = '4.22.0';

/** Where native packages are installed: SPANTUNE_NATIVE_DIR, else ~/.spantune/native. */
export function defaultNativeDir(): string {
  return process.env.SPANTUNE_NATIVE_DIR ?? path.join(homedir(), '.spantune', 'native');
}

/** Folders whose node_modules may hold a native package installed by setup. */
export function nativeModuleFolders(dir = defaultNativeDir()): string[] {
  return [path.join(dir, 'node_modules')];
}

/**
 * The first copy of a native package, looked up from each folder in turn, that has the version the
 * engine is built with; a copy of another version is passed over (it would bring a second tfjs-core).
 */
export function findNativePackage(name: string, folders: string[]): { dir?: string; reason: string; detail: string } {
  const wrong: string[] = [];
  for (const folder of folders) {
    let manifest: string;
    try {
      manifest = require.resolve(`${name}/package.json`, { paths: [folder] });
    } catch {
      continue;
    }
    const dir = path.dirname(manifest);
    const version = (() => {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
      } catch {
        return undefined;
      }
    })();
    if (version === NATIVE_VERSION) return { dir, reason: '', detail: '' };
    if (!wrong.some((w) => w.startsWith(dir))) wrong.push(`${dir} (${version ?? 'unknown version'})`);
  }
  if (wrong.length > 0) {
    return { reason: 'wrong version', detail: `${name} ${NATIVE_VERSION} is needed; found only ${wrong.join(', ')}: run "spantune setup-engine" to install the right one` };
  }
  return { reason: 'not installed', detail: `${name} is not installed (its install downloads libtensorflow): run "SpanTune: Set Up Accelerated Engine" or \`spantune setup-engine\`` };
}

/** What the checks need to know about the machine (injectable for tests). */
export interface MachineProbe {
  platform: NodeJS.Platform;
  arch: string;
  /** The dynamic linker's library list (`ldconfig -p`), Linux only. */
  sharedLibraries(): string;
  /** Folders on PATH (where Windows finds DLLs). */
  pathFolders(): string[];
  exists(file: string): boolean;
}

export const systemProbe: MachineProbe = {
  platform: process.platform,
  arch: process.arch,
  sharedLibraries: () => {
    try {
      return execFileSync('ldconfig', ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  },
  pathFolders: () => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
  exists: existsSync,
};

export interface NativeCheck {
  ok: boolean;
  /** What stops the install from working, each in plain words with what to do. */
  problems: string[];
  /** What was found, for the log. */
  found: string[];
}

/** libtensorflow 2.9.1 (behind tfjs-node 4.x) is built for CUDA 11.2 and cuDNN 8.1. */
const CUDA_RUNTIME = { linux: 'libcudart.so.11.0', win32: 'cudart64_110.dll' } as const;
const CUDNN = { linux: 'libcudnn.so.8', win32: 'cudnn64_8.dll' } as const;

export function checkNativeSupport(kind: NativeKind, probe: MachineProbe = systemProbe): NativeCheck {
  const problems: string[] = [];
  const found: string[] = [`${probe.platform}-${probe.arch}`];
  const supported = kind === 'gpu'
    ? ['linux-x64', 'win32-x64']
    : ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];
  if (!supported.includes(`${probe.platform}-${probe.arch}`)) {
    problems.push(kind === 'gpu'
      ? `the CUDA build of TensorFlow.js runs only on Linux and Windows x86-64, not ${probe.platform}-${probe.arch}; use the CPU build instead`
      : `native TensorFlow has no build for ${probe.platform}-${probe.arch}; SpanTune keeps using WebAssembly`);
  }
  if (kind === 'gpu' && problems.length === 0) {
    const platform = probe.platform as 'linux' | 'win32';
    const has = (library: string) => platform === 'linux'
      ? probe.sharedLibraries().includes(`${library} `)
      : probe.pathFolders().some((folder) => probe.exists(path.join(folder, library)));
    const otherCuda = platform === 'linux' ? [...new Set(probe.sharedLibraries().match(/libcudart\.so\.\d+/g) ?? [])] : [];
    if (has(CUDA_RUNTIME[platform])) found.push(`CUDA runtime ${CUDA_RUNTIME[platform]}`);
    else {
      const others = otherCuda.length > 0 ? ` (found ${otherCuda.join(', ')}, another CUDA version)` : '';
      problems.push(`CUDA 11.2 is missing: ${CUDA_RUNTIME[platform]} was not found${others}; TensorFlow.js's GPU build needs exactly CUDA 11.2 installed beside any other version`);
    }
    if (has(CUDNN[platform])) found.push(`cuDNN ${CUDNN[platform]}`);
    else problems.push(`cuDNN 8.1 is missing: ${CUDNN[platform]} was not found; install cuDNN 8.1 for CUDA 11.2`);
  }
  return { ok: problems.length === 0, problems, found };
}

export interface InstallProgress {
  phase: 'checking' | 'installing' | 'downloading libtensorflow' | 'verifying' | 'done';
  percent?: number;
  message: string;
}

export interface InstallOptions {
  kind: NativeKind;
  dir?: string;
  onProgress?: (progress: InstallProgress) => void;
  signal?: AbortSignal;
  /** The npm executable (tests pass a stand-in). */
  npm?: string;
  probe?: MachineProbe;
}

/** Installs the native package into `dir` and checks that it loads. Returns the folder to pass to the engine. */
export async function installNativeBackend(options: InstallOptions): Promise<{ modulesDir: string; packageDir: string }> {
  const { kind, onProgress } = options;
  const dir = options.dir ?? defaultNativeDir();
  const name = NATIVE_PACKAGES[kind];
  onProgress?.({ phase: 'checking', message: `checking that this machine can run ${name}` });
  const check = checkNativeSupport(kind, options.probe);
  if (!check.ok) throw new UserError(`cannot set up ${name}: ${check.problems.join('; ')}`);

  mkdirSync(dir, { recursive: true });
  onProgress?.({ phase: 'installing', message: `installing ${name}@${NATIVE_VERSION} into ${dir}` });
  await runNpm(options.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm'), dir, `${name}@${NATIVE_VERSION}`, onProgress, options.signal);

  const packageDir = path.join(dir, 'node_modules', ...name.split('/'));
  onProgress?.({ phase: 'verifying', message: `loading ${name} in a separate process` });
  await verifyLoads(packageDir);
  onProgress?.({ phase: 'done', percent: 100, message: `${name} is ready` });
  return { modulesDir: path.join(dir, 'node_modules'), packageDir };
}

function runNpm(npm: string, dir: string, spec: string, onProgress: InstallOptions['onProgress'], signal?: AbortSignal): Promise<void> {
  return runNpmInstall({
    npm,
    dir,
    spec,
    signal,
    downloadsFrom: 'storage.googleapis.com (where libtensorflow comes from)',
    onLine: (line) => {
      // tfjs-node's install script reports its libtensorflow download as "... 45%".
      const percent = /libtensorflow.*?(\d{1,3})%/i.exec(line);
      if (percent) onProgress?.({ phase: 'downloading libtensorflow', percent: Number(percent[1]), message: line });
    },
  });
}

export interface NpmInstall {
  /** The npm executable (tests pass a stand-in). */
  npm: string;
  /** SpanTune's install folder: the package lands in its node_modules, recorded in its package.json. */
  dir: string;
  /** package@version */
  spec: string;
  /** Flags for the package's own install script. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Where the install script downloads from, for the message when it cannot. */
  downloadsFrom: string;
  /** Each line npm and the install script print, trimmed. */
  onLine?: (line: string) => void;
}

/**
 * `npm install` into SpanTune's own folder. The package is saved into that folder's package.json, so
 * that installing another package later (npm prunes what is not listed) keeps this one. npm runs in
 * that folder, away from any project's .npmrc.
 */
export function runNpmInstall(options: NpmInstall): Promise<void> {
  const { npm, dir, spec, signal } = options;
  return new Promise((resolve, reject) => {
    const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', '--foreground-scripts', ...(options.extraArgs ?? []), spec];
    const child = spawn(npm, args, { cwd: dir, signal, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const consume = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/[\r\n]+/)) {
        if (!line.trim()) continue;
        tail.push(line.trim());
        if (tail.length > 20) tail.shift();
        options.onLine?.(line.trim());
      }
    };
    child.stdout.on('data', consume);
    child.stderr.on('data', consume);
    child.on('error', (error) => reject(signal?.aborted ? new UserError('setup cancelled') : new UserError(`cannot run npm (${error.message}); install Node.js with npm`)));
    child.on('close', (code) => {
      if (code === 0) return resolve();
      const text = tail.join('\n');
      const offline = /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|getaddrinfo/.test(text);
      const why = offline
        ? `the download failed: this machine cannot reach the npm registry or ${options.downloadsFrom}`
        : `npm exited with code ${code}: ${tail.at(-1) ?? 'no output'}`;
      reject(new UserError(`installing ${spec} failed: ${why}`));
    });
  });
}

/** Loads the package in a child Node process and checks that the TensorFlow backend comes up. */
function verifyLoads(packageDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = `const tf = require(${JSON.stringify(packageDir)}); tf.ready().then(() => { process.stdout.write(tf.getBackend()); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      if (code === 0 && out.trim() === 'tensorflow') return resolve();
      const reason = signal ? `it crashed (${signal})` : err.trim().split('\n').find((l) => /Error|error/.test(l)) ?? `exit code ${code}`;
      reject(new UserError(`the installed package does not load: ${reason}`));
    });
  });
}

/**
 * Installing ONNX Runtime's CUDA provider ("SpanTune: Set Up Accelerated Engine", `spantune
 * setup-engine --cuda`): the same onnxruntime-node version SpanTune ships, installed into SpanTune's
 * own folder with `--onnxruntime-node-install=cuda12` (its install script fetches the CUDA provider
 * libraries from NuGet), then a check in a child process that a session really starts on CUDA. The
 * engine loads onnxruntime-node from that folder first (runtime.ts), so the next question uses it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultNativeDir, runNpmInstall, systemProbe, type MachineProbe } from '../backend/native-setup';
import { UserError } from '../errors';
import { FLOAT, GraphBuilder } from './graph';
import { ONNXRUNTIME_PACKAGE, ONNXRUNTIME_VERSION } from './runtime';

/** What ONNX Runtime 1.30's CUDA provider links against: CUDA 12 and cuDNN 9. */
const CUDA_LIBRARIES = [
  { library: 'libcudart.so.12', what: 'the CUDA 12 runtime' },
  { library: 'libcublasLt.so.12', what: 'cuBLAS of CUDA 12' },
  { library: 'libcudnn.so.9', what: 'cuDNN 9' },
];

export interface CudaCheck {
  ok: boolean;
  /** What stops the CUDA provider from working here, each in plain words with what to do. */
  problems: string[];
  found: string[];
}

/** Whether this machine can run ONNX Runtime's CUDA provider, before downloading anything. */
export function checkCudaSupport(probe: MachineProbe = systemProbe): CudaCheck {
  const found = [`${probe.platform}-${probe.arch}`];
  if (probe.platform !== 'linux' || probe.arch !== 'x64') {
    return { ok: false, found, problems: [`ONNX Runtime for Node offers its CUDA provider on Linux x86-64 only, not ${probe.platform}-${probe.arch}; SpanTune uses WebGPU or the CPU there`] };
  }
  const problems: string[] = [];
  if (!['/dev/nvidiactl', '/dev/nvidia0', '/dev/dxg'].some((device) => probe.exists(device))) {
    problems.push('no NVIDIA GPU is visible (no /dev/nvidia0): install the NVIDIA driver, or run where a GPU is');
  }
  const libraries = probe.sharedLibraries();
  for (const { library, what } of CUDA_LIBRARIES) {
    if (libraries.includes(`${library} `)) found.push(library);
    else problems.push(`${what} is missing (${library} was not found by the dynamic linker): install CUDA 12 and cuDNN 9`);
  }
  return { ok: problems.length === 0, problems, found };
}

export interface CudaProgress {
  phase: 'checking' | 'installing' | 'downloading the CUDA provider' | 'extracting' | 'verifying' | 'done';
  percent?: number;
  message: string;
}

export interface CudaInstallOptions {
  /** SpanTune's install folder (default: SPANTUNE_NATIVE_DIR or ~/.spantune/native). */
  dir?: string;
  onProgress?: (progress: CudaProgress) => void;
  signal?: AbortSignal;
  /** The npm executable (tests pass a stand-in). */
  npm?: string;
  probe?: MachineProbe;
  /** Skip the machine check (tests; a user who knows better uses --force). */
  skipCheck?: boolean;
}

/** The files the install script extracts from the NuGet package (three provider libraries). */
const EXTRACTED_FILES = 3;

/** The npm arguments of the install, for tests and for the log. */
export function cudaInstallArgs(): { spec: string; extraArgs: string[] } {
  return { spec: `${ONNXRUNTIME_PACKAGE}@${ONNXRUNTIME_VERSION}`, extraArgs: ['--onnxruntime-node-install=cuda12'] };
}

/** Reads the install script's output into progress: the NuGet download, then each file extracted. */
export function cudaProgressFromLine(line: string, extracted: { count: number }): CudaProgress | undefined {
  if (/^Downloading https?:\/\/\S+\.nupkg/i.test(line)) return { phase: 'downloading the CUDA provider', percent: 10, message: 'downloading the CUDA provider from NuGet (about 250 MB)' };
  const extracting = /^Extracting \S*?([^/\\\s]+) to /.exec(line);
  if (extracting) {
    extracted.count++;
    return { phase: 'extracting', percent: 10 + Math.round((80 * Math.min(extracted.count, EXTRACTED_FILES)) / EXTRACTED_FILES), message: `extracted ${extracting[1]} (${extracted.count} of ${EXTRACTED_FILES})` };
  }
  return undefined;
}

/** Installs onnxruntime-node with its CUDA provider into SpanTune's folder and checks that CUDA starts. */
export async function installCudaProvider(options: CudaInstallOptions = {}): Promise<{ packageDir: string }> {
  const { onProgress } = options;
  const dir = options.dir ?? defaultNativeDir();
  if (!options.skipCheck) {
    onProgress?.({ phase: 'checking', message: 'checking that this machine can run ONNX Runtime on CUDA' });
    const check = checkCudaSupport(options.probe);
    if (!check.ok) throw new UserError(`cannot set up ONNX Runtime's CUDA provider: ${check.problems.join('; ')}`);
  }
  mkdirSync(dir, { recursive: true });
  const { spec, extraArgs } = cudaInstallArgs();
  onProgress?.({ phase: 'installing', percent: 0, message: `installing ${spec} with its CUDA provider into ${dir}` });
  const extracted = { count: 0 };
  await runNpmInstall({
    npm: options.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm'),
    dir,
    spec,
    extraArgs,
    // The install script reads this before its own flag; a value in the user's environment must not win.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'cuda12' },
    signal: options.signal,
    downloadsFrom: 'api.nuget.org (where the CUDA provider comes from)',
    onLine: (line) => {
      const progress = cudaProgressFromLine(line, extracted);
      if (progress) onProgress?.(progress);
    },
  });
  const packageDir = path.join(dir, 'node_modules', ONNXRUNTIME_PACKAGE);
  onProgress?.({ phase: 'verifying', percent: 95, message: 'starting a session on the CUDA provider in a separate process' });
  await verifyCudaStarts(packageDir);
  onProgress?.({ phase: 'done', percent: 100, message: 'ONNX Runtime runs on CUDA' });
  return { packageDir };
}

/**
 * Loads the installed package in a child Node process (a native crash cannot take the caller down)
 * and runs a one-node graph on the CUDA provider alone.
 */
export function verifyCudaStarts(packageDir: string): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'spantune-cuda-check-'));
  const modelFile = path.join(scratch, 'add-one.onnx');
  writeFileSync(modelFile, addOneGraph());
  const script = `
    const ort = require(${JSON.stringify(packageDir)});
    ort.env.logLevel = 'fatal';
    ort.InferenceSession.create(${JSON.stringify(modelFile)}, { executionProviders: ['cuda'] })
      .then((s) => s.run({ x: new ort.Tensor('float32', Float32Array.from([1]), [1]) }))
      .then((out) => { process.stdout.write(out.y.data[0] === 2 ? 'cuda ok' : 'wrong result'); })
      .catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(3); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code, signal) => {
      rmSync(scratch, { recursive: true, force: true });
      if (code === 0 && out === 'cuda ok') return resolve();
      const reason = signal ? `it crashed (${signal})` : explainCudaFailure(err) ?? (err.trim().split('\n').find(Boolean) || `exit code ${code}`);
      reject(new UserError(`the CUDA provider was installed in ${packageDir} but does not start: ${reason}`));
    });
  });
}

/** Plain words for the usual ways a CUDA provider fails to start. */
export function explainCudaFailure(message: string): string | undefined {
  const missing = /(lib[\w.+-]+\.so(?:\.\d+)*): cannot open shared object file/.exec(message);
  if (missing) return `${missing[1]} is missing: install CUDA 12 and cuDNN 9 (and make them visible to the dynamic linker)`;
  if (/no CUDA-capable device|CUDA driver version is insufficient|cudaErrorNoDevice/i.test(message)) return 'no usable NVIDIA GPU (or a driver too old for CUDA 12)';
  return undefined;
}

function addOneGraph(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('x', FLOAT, [1]);
  g.output(g.add(x, g.scalar(1), 'y'), 'y', FLOAT, [1]);
  return g.toModel({ name: 'cuda-check' });
}

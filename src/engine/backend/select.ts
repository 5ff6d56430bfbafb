/**
 * Picks the best TensorFlow.js backend that works here, trying in order: native TensorFlow with CUDA
 * (`@tensorflow/tfjs-node-gpu`), native TensorFlow on the CPU (`@tensorflow/tfjs-node`),
 * WebAssembly (`@tensorflow/tfjs-backend-wasm`, XNNPACK + SIMD), and plain JavaScript (`cpu`).
 * The native packages are optional dependencies: their install downloads libtensorflow and fails
 * without internet, so they are loaded lazily and each failure becomes a reason in the report.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { BackendReport } from '../process/protocol';
import { TFJS_BACKENDS, type BackendName } from './names';
import { findNativePackage, nativeModuleFolders, NATIVE_PACKAGES } from './native-setup';
import { installWasmKernelFixes } from './wasm-kernels';

export const BACKEND_ORDER: readonly BackendName[] = TFJS_BACKENDS;
export { parseBackendName } from './names';

export interface BackendOptions {
  /** Use exactly this backend, or fail saying why it cannot run. */
  force?: BackendName;
  /** Extra node_modules folders with the native packages (setup installs them in nativeModuleFolders() by default). */
  nativeModulePaths?: string[];
}

let current: BackendReport | undefined;
/** The native package loaded into this process, if any (a second one cannot be loaded beside it). */
let nativeLoaded: string | undefined;

/** Initialises TensorFlow.js once per process and reports the backend chosen. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendReport> {
  if (current && (!options.force || options.force === current.name)) return current;
  const candidates = options.force ? [options.force] : BACKEND_ORDER;
  const skipped: BackendReport['skipped'] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name, options);
    if (failure === undefined) {
      // tfjs runs its WebAssembly backend single-threaded under Node.
      current = { name, skipped, threads: name === 'wasm' ? 1 : undefined };
      return current;
    }
    skipped.push({ name, ...failure });
  }
  const reasons = skipped.map((s) => `${s.name}: ${s.detail ?? s.reason}`).join('; ');
  throw new UserError(options.force ? `backend '${options.force}' is not usable here (${reasons})` : `no TensorFlow.js backend could start (${reasons})`);
}

/** The long form, for logs: "backend wasm (1 thread) — tensorflow-gpu skipped: ...". */
export function describeBackend(report: BackendReport): string {
  const threads = report.threads ? ` (${report.threads} thread${report.threads > 1 ? 's' : ''})` : '';
  const why = report.skipped.map((s) => `${s.name} skipped: ${s.detail ?? s.reason}`).join('; ');
  return `backend ${report.name}${threads}${why ? ` — ${why}` : ''}`;
}

/** One short line: "tensorflow.js wasm, 1 thread (tensorflow-gpu: not installed; tensorflow: not installed)". */
export function summarizeBackend(report: BackendReport, before: { name: string; reason: string }[] = []): string {
  const threads = report.threads ? `, ${report.threads} thread${report.threads > 1 ? 's' : ''}` : '';
  const skipped = [...before, ...report.skipped].map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `tensorflow.js ${report.name}${threads}${skipped ? ` (${skipped})` : ''}`;
}

type Failure = { reason: string; detail?: string };

/** Returns undefined when the backend is ready, else why it is not (a few words, and the whole story). */
async function tryBackend(name: BackendName, options: BackendOptions): Promise<Failure | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
        return await tryNative('@tensorflow/tfjs-node-gpu', options, true);
      case 'tensorflow':
        return await tryNative('@tensorflow/tfjs-node', options, false);
      case 'wasm':
        setWasmPaths(wasmBinaryFolder() + path.sep);
        if (!(await tf.setBackend('wasm'))) return { reason: 'failed to start', detail: 'the WebAssembly module failed to initialise' };
        installWasmKernelFixes();
        return undefined;
      case 'cpu':
        return (await tf.setBackend('cpu')) ? undefined : { reason: 'failed to start', detail: 'the JavaScript backend failed to initialise' };
    }
  } catch (error) {
    return { reason: 'failed to start', detail: firstLine(error) };
  }
}

async function tryNative(moduleName: string, options: BackendOptions, needsGpu: boolean): Promise<Failure | undefined> {
  // The GPU build runs on the CPU too when it finds no CUDA: loaded already, it serves as native CPU TensorFlow.
  if (!needsGpu && nativeLoaded === NATIVE_PACKAGES.gpu) {
    return (await tf.setBackend('tensorflow')) ? undefined : { reason: 'failed to start', detail: `${nativeLoaded} is loaded but its backend did not initialise` };
  }
  if (nativeLoaded) return { reason: `${nativeLoaded} loaded instead`, detail: `${nativeLoaded} is already loaded in this process; a second native TensorFlow cannot load beside it` };
  const found = findNativePackage(moduleName, [...(options.nativeModulePaths ?? []), ...nativeModuleFolders(), process.cwd(), __dirname]);
  if (!found.dir) return { reason: found.reason, detail: found.detail };
  try {
    // createRequire keeps esbuild from trying to bundle the native module.
    createRequire(__filename)(found.dir);
    nativeLoaded = moduleName;
  } catch (error) {
    return { reason: 'failed to load', detail: `${moduleName} (${found.dir}) failed to load: ${firstLine(error)}` };
  }
  if (!(await tf.setBackend('tensorflow'))) return { reason: 'failed to start', detail: `${moduleName} loaded but its backend did not initialise` };
  if (needsGpu && !(await hasCudaDevice())) {
    return { reason: 'no CUDA GPU', detail: 'no CUDA GPU visible to TensorFlow (it needs CUDA 11.2 and cuDNN 8.1); its CPU build serves as the next backend' };
  }
  return undefined;
}

async function hasCudaDevice(): Promise<boolean> {
  // The GPU build falls back to the CPU silently when CUDA is missing; its binding reports devices.
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.binding?.isUsingGpuDevice?.() ?? false;
}

/** The .wasm binaries sit beside the bundle (dist/) or in node_modules when running from source. */
function wasmBinaryFolder(): string {
  const candidates = [__dirname, path.resolve(__dirname, '../../../node_modules/@tensorflow/tfjs-backend-wasm/dist')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm')));
  if (!found) throw new Error('tfjs-backend-wasm-simd.wasm not found beside the engine');
  return found;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

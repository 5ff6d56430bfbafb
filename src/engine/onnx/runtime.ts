/**
 * Finds and loads `onnxruntime-node`. Two copies may exist: the one SpanTune ships (CPU and WebGPU
 * providers), and one that "Set Up Accelerated Engine" installed into SpanTune's own folder with the
 * CUDA provider beside it. The installed one wins when its version is the one SpanTune was built
 * with; anything else is noted and passed over. The package is loaded with a require built at run
 * time, so that no bundler tries to inline its native binding, and only its types are imported here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import { defaultNativeDir } from '../backend/native-setup';

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;
export type OrtSessionOptions = OrtModule.InferenceSession.SessionOptions;

/** The onnxruntime-node version SpanTune is built and tested with (package.json pins the same). */
export const ONNXRUNTIME_VERSION = '1.30.0';
export const ONNXRUNTIME_PACKAGE = 'onnxruntime-node';

export interface OnnxRuntime {
  ort: Ort;
  /** The package folder it was loaded from. */
  packageDir: string;
  /** True when it came from SpanTune's own install folder (the copy that can have CUDA). */
  installed: boolean;
  /** The folder of this platform's native libraries (where the CUDA provider library lands). */
  binaryDir: string;
  /** Copies passed over, and why (a wrong version in the install folder, a failed load). */
  notes: string[];
}

/** ONNX Runtime cannot be loaded in this process; `reason` says why, in one line. */
export class OnnxRuntimeUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`ONNX Runtime cannot load: ${reason}`);
  }
}

export interface RuntimeLocation {
  /** SpanTune's install folder (default: $SPANTUNE_NATIVE_DIR or ~/.spantune/native). */
  nativeDir?: string;
  /** Where to look for the shipped copy (default: beside this bundle or source file, walking up). */
  searchFrom?: string;
}

/** The package folders to try, best first: SpanTune's install folder, then the shipped copy. */
export function runtimeCandidates(location: RuntimeLocation = {}): { dir: string; installed: boolean }[] {
  const nativeDir = location.nativeDir ?? defaultNativeDir();
  const candidates = [{ dir: path.join(nativeDir, 'node_modules', ONNXRUNTIME_PACKAGE), installed: true }];
  const shipped = resolvePackageDir(location.searchFrom ?? __dirname);
  if (shipped) candidates.push({ dir: shipped, installed: false });
  return candidates;
}

/** The first onnxruntime-node folder up from `from` (Node's own lookup, never the current folder). */
function resolvePackageDir(from: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${ONNXRUNTIME_PACKAGE}/package.json`, { paths: [from] }));
  } catch {
    return undefined;
  }
}

export function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

let loaded: OnnxRuntime | undefined;
let failure: OnnxRuntimeUnavailable | undefined;

/**
 * Loads ONNX Runtime once per process (a native library cannot be unloaded, and two copies must
 * never share a process). Throws OnnxRuntimeUnavailable when no usable copy loads.
 */
export function loadOnnxRuntime(location: RuntimeLocation = {}): OnnxRuntime {
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    loaded = loadFirstUsable(runtimeCandidates(location));
    return loaded;
  } catch (error) {
    failure = error as OnnxRuntimeUnavailable;
    throw failure;
  }
}

/** Loads the first candidate of the right version that loads; notes why each earlier one did not. */
export function loadFirstUsable(candidates: { dir: string; installed: boolean }[]): OnnxRuntime {
  const notes: string[] = [];
  for (const { dir, installed } of candidates) {
    if (!existsSync(path.join(dir, 'package.json'))) continue;
    const version = packageVersion(dir);
    if (version !== ONNXRUNTIME_VERSION) {
      notes.push(`${dir} holds ${ONNXRUNTIME_PACKAGE} ${version ?? 'of unknown version'}, SpanTune needs ${ONNXRUNTIME_VERSION}: not used`);
      continue;
    }
    try {
      const ort = createRequire(__filename)(dir) as Ort;
      if (typeof ort.InferenceSession?.create !== 'function') throw new Error('it has no InferenceSession');
      // ONNX Runtime logs to stderr; its errors reach us as exceptions, and warnings ("some nodes were
      // placed on the CPU") are noise in a CLI's output. SPANTUNE_ORT_LOG_LEVEL=verbose shows everything.
      ort.env.logLevel = ortLogLevel(process.env.SPANTUNE_ORT_LOG_LEVEL);
      return { ort, packageDir: dir, installed, binaryDir: binaryDir(dir), notes };
    } catch (error) {
      notes.push(`${dir} failed to load: ${firstLine(error)}`);
    }
  }
  throw new OnnxRuntimeUnavailable(notes.length > 0 ? notes.join('; ') : `${ONNXRUNTIME_PACKAGE} is not installed beside SpanTune`);
}

function ortLogLevel(value: string | undefined): 'verbose' | 'info' | 'warning' | 'error' | 'fatal' {
  return value === 'verbose' || value === 'info' || value === 'warning' || value === 'error' ? value : 'fatal';
}

/** The platform's native library folder inside an onnxruntime-node package. */
export function binaryDir(packageDir: string, platform: string = process.platform, arch: string = process.arch): string {
  return path.join(packageDir, 'bin', 'napi-v6', platform, arch);
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').map((line) => line.trim()).find(Boolean) ?? 'unknown error';
}

/**
 * The names a user picks the engine with (`--backend`, `--provider`, `spantune.backend`,
 * `spantune.provider`), parsed without loading any runtime: the CLI and the extension host read them,
 * and neither may pay for loading TensorFlow.js or ONNX Runtime to do so.
 */
import { UserError } from '../errors';

/** TensorFlow.js backends, fastest first. */
export const TFJS_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof TFJS_BACKENDS)[number];

/** What `--backend` may force: ONNX Runtime ('onnx') or one TensorFlow.js backend. */
export type EngineBackend = 'onnx' | BackendName;
export const ENGINE_BACKENDS: readonly EngineBackend[] = ['onnx', ...TFJS_BACKENDS];

/** ONNX Runtime execution providers, fastest first. */
export const PROVIDERS = ['cuda', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** `auto` (or nothing) → undefined: ONNX Runtime where it loads, else the TensorFlow.js ladder. */
export function parseEngineBackend(value: string | undefined): EngineBackend | undefined {
  if (value === undefined || value === 'auto') return undefined;
  if ((ENGINE_BACKENDS as readonly string[]).includes(value)) return value as EngineBackend;
  throw new UserError(`unknown backend '${value}': choose one of auto, ${ENGINE_BACKENDS.join(', ')}`);
}

/** A TensorFlow.js backend name only (training runs on TensorFlow.js). */
export function parseBackendName(value: string | undefined): BackendName | undefined {
  if (value === undefined || value === 'auto') return undefined;
  if ((TFJS_BACKENDS as readonly string[]).includes(value)) return value as BackendName;
  throw new UserError(`unknown backend '${value}': choose one of auto, ${TFJS_BACKENDS.join(', ')}`);
}

/** `auto` (or nothing) → undefined: the best provider that starts. */
export function parseProviderName(value: string | undefined): ProviderName | undefined {
  if (value === undefined || value === 'auto') return undefined;
  if ((PROVIDERS as readonly string[]).includes(value)) return value as ProviderName;
  throw new UserError(`unknown provider '${value}': choose one of auto, ${PROVIDERS.join(', ')}`);
}

/** A thread count from a flag or setting: a positive integer, or undefined for "one per physical core". */
export function parseThreads(value: unknown, what = '--threads'): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new UserError(`${what} must be a whole number of threads from 1 to 1024, got '${String(value)}'`);
  return n;
}

/** True when `backend` names a TensorFlow.js backend (so the ONNX Runtime path is not wanted). */
export function isTfjsBackend(backend: EngineBackend | undefined): backend is BackendName {
  return backend !== undefined && backend !== 'onnx';
}

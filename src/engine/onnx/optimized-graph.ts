/**
 * The CPU provider's optimized copy of a kept graph. Most of a CPU session's opening goes to graph
 * optimization: ONNX Runtime fuses attention, LayerNorm, GELU and the bias adds, 150-300 ms of the
 * 400 ms a MiniLM-L6 session took to open on the CI machine. ONNX Runtime can save the graph it
 * optimized. The copy is kept beside the graph, as `<graph>.ort-<version>-cpu.onnx` with its weights in
 * `.onnx.data`, and later sessions open it with optimization off. The copy is saved at the 'extended'
 * level, whose fused operators run on any CPU ('all' adds layouts for the CPU it was saved on).
 *
 * The copy is written in a temporary folder beside the graph and renamed into place, weights first, so
 * an optimized graph on disk always has its weights. A copy that fails to open is removed, and the
 * session opens the graph itself.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { firstLine, type OrtSession, type OrtSessionOptions } from './runtime';

const STAGING_PREFIX = '.optimizing-';
/** A staging folder this old belongs to a process that died while saving (saving takes seconds). */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;

type OpenGraph = (file: string, options: OrtSessionOptions) => Promise<OrtSession>;

/** Where the optimized copy of `graphFile` for this ONNX Runtime version lives. */
export function optimizedGraphFile(graphFile: string, ortVersion: string): string {
  return graphFile.replace(/\.onnx$/, `.ort-${ortVersion}-cpu.onnx`);
}

/** Every optimized copy of `graphFile`, whatever ONNX Runtime version saved it, with its weights. */
export async function optimizedCopiesOf(graphFile: string): Promise<string[]> {
  const dir = path.dirname(graphFile);
  const stem = path.basename(graphFile).replace(/\.onnx$/, '.ort-');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.startsWith(stem) && /-cpu\.onnx(\.data)?$/.test(name)).map((name) => path.join(dir, name));
}

/**
 * A CPU session of `graphFile`: of its optimized copy when there is one, else of the graph itself,
 * saving the optimized copy for the next session on the way.
 */
export async function openOptimizedCpuSession(open: OpenGraph, graphFile: string, options: OrtSessionOptions, ortVersion: string, onLog?: (line: string) => void): Promise<OrtSession> {
  const optimized = optimizedGraphFile(graphFile, ortVersion);
  if (await exists(optimized) && await exists(dataFileOf(optimized))) {
    try {
      return await open(optimized, { ...options, graphOptimizationLevel: 'disabled' });
    } catch (error) {
      onLog?.(`the optimized graph ${optimized} does not load (${firstLine(error)}); optimizing the graph again`);
      await removeFiles([optimized, dataFileOf(optimized)]);
    }
  }

  await removeAbandonedStaging(path.dirname(graphFile));
  const staging = path.join(path.dirname(graphFile), `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const staged = path.join(staging, path.basename(optimized));
  const saving = await fs.mkdir(staging).then(() => true, (error: Error) => {
    onLog?.(`cannot keep the optimized graph beside ${graphFile} (${error.message})`);
    return false;
  });
  try {
    const session = await open(graphFile, saving ? savingOptions(options, staged) : options);
    if (saving) await keepOptimizedCopy(graphFile, staged, optimized, onLog);
    return session;
  } finally {
    if (saving) await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Session options that also write the optimized graph to `target`, its weights in external data. */
function savingOptions(options: OrtSessionOptions, target: string): OrtSessionOptions {
  return {
    ...options,
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: target,
    extra: {
      ...options.extra,
      session: {
        ...(options.extra as { session?: Record<string, string> } | undefined)?.session,
        optimized_model_external_initializers_file_name: path.basename(dataFileOf(target)),
        optimized_model_external_initializers_min_size_in_bytes: '1024',
      },
    },
  };
}

/** Moves the staged copy into place (weights, then graph) and removes copies of other versions. */
async function keepOptimizedCopy(graphFile: string, staged: string, optimized: string, onLog?: (line: string) => void): Promise<void> {
  try {
    await fs.rename(dataFileOf(staged), dataFileOf(optimized));
    await fs.rename(staged, optimized);
  } catch (error) {
    await removeFiles([optimized, dataFileOf(optimized)]);
    onLog?.(`cannot keep the optimized graph ${optimized} (${(error as Error).message})`);
    return;
  }
  const others = (await optimizedCopiesOf(graphFile)).filter((file) => file !== optimized && file !== dataFileOf(optimized));
  await removeFiles(others);
}

/** Removes staging folders left by processes that died while saving a copy. */
async function removeAbandonedStaging(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(STAGING_PREFIX))) {
    const folder = path.join(dir, name);
    const stat = await fs.stat(folder).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > ABANDONED_AFTER_MS) await fs.rm(folder, { recursive: true, force: true }).catch(() => undefined);
  }
}

function dataFileOf(graphFile: string): string {
  return `${graphFile}.data`;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

async function removeFiles(files: string[]): Promise<void> {
  await Promise.all(files.map((file) => fs.rm(file, { force: true }).catch(() => undefined)));
}

/**
 * The built question-answering graph of a model folder, kept on disk so that the next question
 * skips reading the weights and building the graph: `<model>/onnx/spantune-<fingerprint>.onnx`, its
 * weights beside it in `.onnx.data` (ONNX external data, which ONNX Runtime maps into memory), or,
 * when the folder is not ours to write (read-only, or a snapshot of the Hugging Face cache), a file
 * under SpanTune's per-user cache. The fingerprint covers config.json, the weight files (name, size,
 * modification time), the seed of a freshly drawn QA head and the graph builder's version, so a
 * training run saving new weights into the folder, or a new SpanTune, gets a new graph. Files are
 * written atomically; older graphs of the same folder are removed once a new one is in place.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { loadQaWeights } from '../checkpoint/qa-weights';
import { SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE } from '../checkpoint/weight-files';
import { UserError } from '../errors';
import { writeFileAtomic, writeFileAtomically, writeFully } from '../fs/atomic';
import { optimizedCopiesOf } from './optimized-graph';
import { buildQaGraph } from './qa-graph';

/** Bump when the graph builder emits a different graph for the same weights (old caches then rebuild). */
export const GRAPH_BUILDER_VERSION = 3;

/** What is known about a cached graph without reading it: kept in a small JSON file beside it. */
export interface GraphInfo {
  /** The graph's inputs, in order (`token_type_ids` only for BERT layouts). */
  inputNames: string[];
  /** Notes from loading the weights (a new QA head, ignored tensors), repeated on every use. */
  warnings: string[];
  nodeCount: number;
}

export interface CachedGraph extends GraphInfo {
  /** The .onnx file. */
  file: string;
  fingerprint: string;
  /** True when this call built it (the first use after a change), false when it was on disk. */
  built: boolean;
  /** Graph bytes, weights inside, when there was nowhere to keep the graph; else ONNX Runtime reads `file`. */
  bytes?: Uint8Array;
}

export interface GraphCacheOptions {
  /** Seed of a QA head drawn for a base checkpoint without one (as loadQaWeights). */
  seed?: number;
  /** Where graphs of folders SpanTune may not write to go (default: SPANTUNE_CACHE_DIR, else the user cache). */
  userCacheDir?: string;
  onLog?: (line: string) => void;
}

/** The cached graph of `modelDir`, built (and stored) first when missing or stale. */
export async function qaGraphFor(modelDir: string, options: GraphCacheOptions = {}): Promise<CachedGraph> {
  const fingerprint = await graphFingerprint(modelDir, options.seed ?? 42);
  for (const location of await locations(modelDir, options)) {
    const file = path.join(location.dir, `${location.prefix}${fingerprint}.onnx`);
    const info = await readInfo(file);
    if (info) return { file, fingerprint, built: false, ...info };
  }

  let weights;
  try {
    weights = await loadQaWeights(modelDir, { seed: options.seed });
  } catch (error) {
    // Name the model in the one line the user sees (most loader messages do already).
    throw named(modelDir, error);
  }
  const metadata = { spantune_fingerprint: fingerprint };
  for (const location of await locations(modelDir, options)) {
    const file = path.join(location.dir, `${location.prefix}${fingerprint}.onnx`);
    let graph;
    try {
      graph = buildQaGraph(weights.config, weights.tensors, metadata, { externalData: path.basename(dataFile(file)) });
    } catch (error) {
      throw named(modelDir, error);
    }
    const info: GraphInfo = { inputNames: graph.inputNames, warnings: weights.warnings, nodeCount: graph.nodeCount };
    try {
      await fs.mkdir(location.dir, { recursive: true });
      // Weights, graph, then its description: a description always has its graph and weights beside it.
      await writeFileAtomically(dataFile(file), async (handle) => {
        let position = 0;
        for (const part of graph.externalData!) position = await writeFully(handle, part, position);
      });
      await writeFileAtomic(file, graph.bytes);
      await writeFileAtomic(infoFile(file), `${JSON.stringify(info, null, 2)}\n`);
      await removeStale(location.dir, location.prefix, fingerprint);
      return { file, fingerprint, built: true, ...info };
    } catch (error) {
      await discardGraph(file);
      options.onLog?.(`cannot keep the ONNX graph in ${location.dir} (${(error as Error).message}); trying the next place`);
    }
  }
  // Nowhere to keep it: the graph runs from memory, weights inside, and is built again next time.
  const graph = buildQaGraph(weights.config, weights.tensors, metadata);
  return { file: '', fingerprint, built: true, bytes: graph.bytes, inputNames: graph.inputNames, warnings: weights.warnings, nodeCount: graph.nodeCount };
}

function named(modelDir: string, error: unknown): unknown {
  if (error instanceof UserError && !error.message.includes(modelDir)) return new UserError(`${modelDir}: ${error.message}`, { cause: error });
  return error;
}

/**
 * A hash of what the graph is made from. File sizes and modification times stand for the weights'
 * contents: hashing hundreds of megabytes on every question would cost more than it saves.
 */
export async function graphFingerprint(modelDir: string, seed: number): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`spantune-qa-graph ${GRAPH_BUILDER_VERSION} seed ${seed}\n`);
  const folder = await fs.stat(modelDir).catch(() => undefined);
  if (!folder) throw new UserError(`model folder not found: ${modelDir}`);
  if (!folder.isDirectory()) throw new UserError(`${modelDir} is a file; --model expects a folder with config.json and model.safetensors`);
  const config = await fs.readFile(path.join(modelDir, 'config.json')).catch(() => undefined);
  if (!config) throw new UserError(`config.json not found in ${modelDir}; a model folder needs config.json next to its weights`);
  hash.update(config);
  const weightFiles = await weightFilesOf(modelDir);
  for (const file of weightFiles) {
    const stat = await fs.stat(path.join(modelDir, file));
    hash.update(`\n${file} ${stat.size} ${stat.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** model.safetensors, or the index and every shard it names. */
async function weightFilesOf(modelDir: string): Promise<string[]> {
  const single = await fs.stat(path.join(modelDir, SAFETENSORS_FILE)).catch(() => undefined);
  if (single) return [SAFETENSORS_FILE];
  const index = await fs.readFile(path.join(modelDir, SAFETENSORS_INDEX_FILE), 'utf8').catch(() => undefined);
  // No weights at all: loading them reports what is wrong, in its own words.
  if (index === undefined) return [];
  let shards: string[] = [];
  try {
    shards = [...new Set(Object.values((JSON.parse(index) as { weight_map?: Record<string, string> }).weight_map ?? {}))];
  } catch {
    shards = [];
  }
  const existing = [];
  for (const shard of shards.sort()) if (await fs.stat(path.join(modelDir, shard)).catch(() => undefined)) existing.push(shard);
  return [SAFETENSORS_INDEX_FILE, ...existing];
}

interface Location {
  dir: string;
  /** File name prefix: 'spantune-' beside the model, '<folder key>-' in the user cache. */
  prefix: string;
}

/** Where a folder's graph may live, best first. */
async function locations(modelDir: string, options: GraphCacheOptions): Promise<Location[]> {
  const absolute = path.resolve(modelDir);
  const real = await fs.realpath(absolute).catch(() => absolute);
  const key = createHash('sha256').update(real).digest('hex').slice(0, 12);
  const userCache = { dir: path.join(options.userCacheDir ?? defaultUserCacheDir(), 'onnx'), prefix: `${key}-` };
  if (isHubSnapshot(absolute)) return [userCache];
  return [{ dir: path.join(absolute, 'onnx'), prefix: 'spantune-' }, userCache];
}

/** A snapshot folder of the Hugging Face cache (`.../models--org--name/snapshots/<commit>`), shared with Python. */
export function isHubSnapshot(dir: string): boolean {
  return /(^|[\\/])models--[^\\/]+[\\/]snapshots[\\/][^\\/]+[\\/]?$/.test(dir);
}

/** SPANTUNE_CACHE_DIR, else $XDG_CACHE_HOME/spantune, ~/Library/Caches/spantune or %LOCALAPPDATA%\spantune. */
export function defaultUserCacheDir(): string {
  if (process.env.SPANTUNE_CACHE_DIR) return process.env.SPANTUNE_CACHE_DIR;
  if (process.platform === 'darwin') return path.join(homedir(), 'Library', 'Caches', 'spantune');
  if (process.platform === 'win32') return path.join(process.env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'spantune', 'cache');
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'spantune');
}

/** Removes a kept graph that turned out unusable (the next qaGraphFor builds it again). */
export async function discardGraph(graphFile: string): Promise<void> {
  if (!graphFile) return;
  const files = [graphFile, infoFile(graphFile), dataFile(graphFile), ...await optimizedCopiesOf(graphFile)];
  await Promise.all(files.map((file) => fs.rm(file, { force: true }).catch(() => undefined)));
}

/** The weights of a kept graph (ONNX external data), beside it. */
function dataFile(graphFile: string): string {
  return `${graphFile}.data`;
}

function infoFile(graphFile: string): string {
  return graphFile.replace(/\.onnx$/, '.json');
}

async function readInfo(graphFile: string): Promise<GraphInfo | undefined> {
  try {
    const [text] = await Promise.all([fs.readFile(infoFile(graphFile), 'utf8'), fs.access(graphFile), fs.access(dataFile(graphFile))]);
    const info = JSON.parse(text) as GraphInfo;
    return Array.isArray(info.inputNames) && Array.isArray(info.warnings) ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Removes this folder's graphs of other fingerprints (with their descriptions and optimized copies). */
async function removeStale(dir: string, prefix: string, fingerprint: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const stale = names.filter((name) => name.startsWith(prefix) && /^[0-9a-f]{16}(\.ort-[\w.-]+-cpu)?\.(onnx|onnx\.data|json)$/.test(name.slice(prefix.length)) && !name.includes(fingerprint));
  await Promise.all(stale.map((name) => fs.rm(path.join(dir, name), { force: true })));
}

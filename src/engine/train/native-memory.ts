/**
 * Memory for training outside the wasm heap, measured rather than assumed: what the machine can give
 * this process now (free memory, or what is left under a cgroup limit), the peak resident memory of a
 * piece of work, and free GPU memory where nvidia-smi reports it.
 *
 * `SPANTUNE_MEMORY_LIMIT` (bytes, or a number with a GiB/MiB suffix) caps what training may plan to
 * use, for shared machines (and for tests of the sizing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export const GIB = 1024 ** 3;

/** Free memory, or the cgroup's remaining room where that is less. */
function systemAvailable(): number {
  return typeof process.availableMemory === 'function' ? process.availableMemory() : os.freemem();
}

/** Bytes the process may still take: free memory or the cgroup's remaining room, capped by SPANTUNE_MEMORY_LIMIT. */
export function availableMemory(env: NodeJS.ProcessEnv = process.env): number {
  const cap = parseMemoryLimit(env.SPANTUNE_MEMORY_LIMIT);
  return cap === undefined ? systemAvailable() : Math.min(systemAvailable(), Math.max(0, cap - residentBytes()));
}

/**
 * The resident memory a training step may reach: what the process holds plus 85% of what is free (the
 * rest for the system and other programs), or SPANTUNE_MEMORY_LIMIT where that is lower.
 */
export function residentLimit(env: NodeJS.ProcessEnv = process.env): number {
  const limit = residentBytes() + 0.85 * systemAvailable();
  const cap = parseMemoryLimit(env.SPANTUNE_MEMORY_LIMIT);
  return cap === undefined ? limit : Math.min(limit, cap);
}

export function parseMemoryLimit(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(gib|gb|g|mib|mb|m)?\s*$/i.exec(value);
  if (!match) throw new Error(`SPANTUNE_MEMORY_LIMIT must be a size such as 6GiB or 800MiB, got '${value}'`);
  const unit = (match[2] ?? '').toLowerCase();
  const scale = unit.startsWith('g') ? GIB : unit.startsWith('m') ? 1024 ** 2 : 1;
  return Math.floor(Number(match[1]) * scale);
}

export function residentBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * The peak resident memory while `work` runs. On Linux the kernel's high-water mark is reset first
 * (/proc/self/clear_refs), so the figure is this work's own peak. Elsewhere the process's lifetime
 * maximum is all there is: when `work` does not raise it, the result is undefined (not measured).
 */
export async function measurePeakResident(work: () => Promise<void>): Promise<number | undefined> {
  if (resetHighWaterMark()) {
    await work();
    return highWaterMark();
  }
  const before = process.resourceUsage().maxRSS * 1024;
  await work();
  const after = process.resourceUsage().maxRSS * 1024;
  return after > before ? after : undefined;
}

function resetHighWaterMark(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return highWaterMark() !== undefined;
  } catch {
    return false;
  }
}

function highWaterMark(): number | undefined {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Free memory of the first NVIDIA GPU, from nvidia-smi; undefined where there is none. */
export function nvidiaFreeMemory(): number | undefined {
  try {
    const out = execFileSync('nvidia-smi', ['--query-gpu=memory.free', '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const mib = Number(out.trim().split('\n')[0]);
    return Number.isFinite(mib) && mib > 0 ? mib * 1024 ** 2 : undefined;
  } catch {
    return undefined;
  }
}

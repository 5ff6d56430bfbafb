/**
 * npm run bench:train — training speed in one run, each measurement a process of its own:
 *  1. MiniLM-L6 shape (L6 H384) at 384 tokens, batch 8: SpanTune on ONNX Runtime (the graph path),
 *     SpanTune on TensorFlow.js (wasm), and PyTorch (bench/pytorch_train.py, /usr/bin/python3 with
 *     Debian's python3-torch and OpenBLAS, same threads), as windows/s over wall-clock steps with the
 *     optimizer included;
 *  2. DistilBERT-base shape (L6 H768) at 384 tokens, batch 12: ONNX Runtime and PyTorch windows/s, and
 *     the peak resident memory of each;
 *  3. the event-loop delay of a stand-in for the extension host while the engine process trains
 *     MiniLM-L6 on ONNX Runtime (train-host.ts), beside the same process's delay with nothing running.
 * PyTorch runs with its default allocator and with glibc's tuned (pytorch-env.ts), and the faster of
 * the two is the yardstick. ONNX Runtime and PyTorch alternate (A B A B …) and the ratio is taken pair by pair, so
 * that a shared machine's drifting speed cancels out; each run records the load average before it.
 * Usage: node --import tsx bench/train.ts [REPEATS=3] [STEPS=3]
 *   (PyTorch missing: bench/setup-pytorch.sh installs python3-torch with OpenBLAS)
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { physicalCores } from '../src/engine/onnx/providers';
import { PYTORCH_RUNS } from './pytorch-env';
import { SHAPES } from './random-model';

interface Run {
  engine: string;
  windows_per_s: number;
  peak_rss_mib: number;
  micro_batch?: number;
  step_seconds: number[];
  /** The 1-minute load average when the run started. */
  load?: number;
}

const threads = physicalCores();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => +loadavg()[0]!.toFixed(1);

function lastJsonLine(out: string): Record<string, unknown> {
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

function spantune(backend: 'onnx' | 'wasm', shape: string, batch: number, steps: number): Run {
  const loadBefore = load();
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'train-run.ts'), backend, shape, String(batch), String(steps)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024,
  });
  return { ...(lastJsonLine(out) as unknown as Run), load: loadBefore };
}

/** PyTorch on `shape`, once per allocator setting of PYTORCH_RUNS; the faster run, with both figures. */
function pytorch(shape: string, batch: number, steps: number): Run & { variants: { allocator: string; windows_per_s: number }[] } {
  const s = SHAPES[shape]!;
  const args = [
    path.join(__dirname, 'pytorch_train.py'), '--layout', s.distilbert ? 'distilbert' : 'bert', '--hidden', String(s.hidden), '--layers', String(s.layers),
    '--heads', String(s.heads), '--intermediate', String(s.intermediate), '--seq', '384', '--batch', String(batch), '--steps', String(steps + 1), '--threads', String(threads),
  ];
  const runs = PYTORCH_RUNS.map(({ label, env }) => {
    const loadBefore = load();
    // OpenBLAS picks its kernels by CPU type; SkylakeX's are its fastest on AVX-512 machines (1.3-1.6x Haswell's here).
    const fullEnv = { ...process.env, OPENBLAS_CORETYPE: process.env.SPANTUNE_BENCH_OPENBLAS_CORETYPE ?? 'SkylakeX', OMP_NUM_THREADS: String(threads), ...env };
    const out = lastJsonLine(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', env: fullEnv, stdio: ['ignore', 'pipe', 'inherit'] })) as { step_seconds: number[]; peak_rss_mib: number; torch: string };
    const timed = out.step_seconds.slice(1); // the first step pays for allocation and kernel set-up
    const run: Run = {
      engine: `pytorch ${out.torch}, ${label}`, windows_per_s: +((timed.length * batch) / timed.reduce((a, b) => a + b, 0)).toFixed(3),
      peak_rss_mib: out.peak_rss_mib, step_seconds: timed.map((x) => +x.toFixed(3)), load: loadBefore,
    };
    process.stderr.write(`${shape}: ${run.engine}: ${run.windows_per_s} windows/s (load ${loadBefore})\n`);
    return run;
  });
  const best = runs.reduce((a, b) => (b.windows_per_s > a.windows_per_s ? b : a));
  return { ...best, variants: runs.map((r) => ({ allocator: r.engine.split(', ').slice(1).join(', '), windows_per_s: r.windows_per_s })) };
}

function hasPytorch(): boolean {
  try {
    execFileSync(path.join(__dirname, 'setup-pytorch.sh'), { stdio: 'inherit' });
    execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** ONNX Runtime and PyTorch in turn, `repeats` times; medians and the pair-by-pair ratio. */
function alternate(shape: string, batch: number, steps: number, repeats: number, withTorch: boolean) {
  const onnx: Run[] = [];
  const torch: Run[] = [];
  for (let r = 0; r < repeats; r++) {
    onnx.push(spantune('onnx', shape, batch, steps));
    process.stderr.write(`${shape}: onnxruntime ${onnx.at(-1)!.windows_per_s} windows/s (load ${onnx.at(-1)!.load})\n`);
    if (withTorch) torch.push(pytorch(shape, batch, steps));
  }
  const ratios = torch.map((t, i) => +(onnx[i]!.windows_per_s / t.windows_per_s).toFixed(2));
  const summary = (runs: Run[]) => ({
    windows_per_s: median(runs.map((r) => r.windows_per_s)), peak_rss_mib: median(runs.map((r) => r.peak_rss_mib)),
    runs: runs.map((r) => ({ windows_per_s: r.windows_per_s, step_seconds: r.step_seconds, load: r.load, ...('variants' in r ? { engine: r.engine, variants: r.variants } : {}) })),
  });
  return {
    model: SHAPES[shape]!.name, seq: 384, batch, threads,
    onnxruntime: { engine: onnx[0]!.engine, micro_batch: onnx[0]!.micro_batch, ...summary(onnx) },
    pytorch: withTorch ? summary(torch) : 'not installed',
    onnxruntime_over_pytorch: withTorch ? { median: median(ratios), pairs: ratios } : undefined,
  };
}

async function main() {
  const repeats = Number(process.argv[2] ?? 3);
  const steps = Number(process.argv[3] ?? 3);
  const withTorch = hasPytorch();
  if (!withTorch) process.stderr.write('PyTorch could not be installed for /usr/bin/python3 (python3-torch): its columns stay empty\n');
  const loadBefore = loadavg().map((x) => +x.toFixed(1));
  const minilm = alternate('minilm-l6', 8, steps, repeats, withTorch);
  const tfjs = spantune('wasm', 'minilm-l6', 8, Math.min(steps, 2));
  process.stderr.write(`minilm-l6: ${tfjs.engine} ${tfjs.windows_per_s} windows/s (load ${tfjs.load})\n`);
  const distilbert = alternate('distilbert-base', 12, steps, Math.max(1, repeats - 1), withTorch);
  const host = lastJsonLine(execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'train-host.ts'), 'minilm-l6', '8', String(steps + 1)], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }));
  process.stderr.write(`host event-loop delay while training: ${JSON.stringify(host.event_loop_delay_ms)}\n`);
  console.log(JSON.stringify({
    benchmark: 'train', cores: threads, load_average_before: loadBefore, load_average_after: loadavg().map((x) => +x.toFixed(1)),
    minilm: { ...minilm, tensorflowjs: { engine: tfjs.engine, windows_per_s: tfjs.windows_per_s, peak_rss_mib: tfjs.peak_rss_mib, micro_batch: tfjs.micro_batch, load: tfjs.load } },
    distilbert,
    host_event_loop_delay: host,
  }, null, 2));
}
main();

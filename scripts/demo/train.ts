/**
 * Fine-tunes the demo model headless as "Fine-tune on Workspace" does in the demo workspace (the same
 * training and validation sets, the demo's settings, the default engine) and then checks its answers:
 * `npm run build && node --import tsx scripts/demo/train.ts [OUT_DIR]`. The figures in the README's
 * demo section come from this. Extra arguments after OUT_DIR go to `spantune train` (e.g. --backend wasm).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { writeSquadFile } from '../../src/engine/squad/dataset';
import { buildTrainingSets } from '../../src/extension/logic/workspace-dataset';
import { demoDatasetFile } from './paths';
import { demoSettings, prepareDemoWorkspace } from './workspace';

const repoRoot = path.resolve(__dirname, '..', '..');

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: repoRoot });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? mkdtempSync(path.join(os.tmpdir(), 'spantune-demo-train-')));
  const extra = process.argv.slice(3);
  mkdirSync(out, { recursive: true });
  const { modelDir } = await prepareDemoWorkspace(path.join(out, 'workspace'), { fresh: true });
  const s = demoSettings();
  const setting = <T>(key: string, fallback: T): T => (s[`spantune.${key}`] as T | undefined) ?? fallback;
  const sets = buildTrainingSets(JSON.parse(readFileSync(demoDatasetFile, 'utf8')), { includeUnreviewed: false, validationFraction: setting('validationSplit', 0.2) });
  await writeSquadFile(path.join(out, 'train.json'), sets.train);
  await writeSquadFile(path.join(out, 'validation.json'), sets.validation);
  const flags: [string, unknown][] = [
    ['--epochs', setting('epochs', 3)],
    ['--batch-size', setting('batchSize', 8)],
    ['--learning-rate', setting('learningRate', 3e-5)],
    ['--warmup-ratio', setting('warmupRatio', 0)],
    ['--weight-decay', setting('weightDecay', 0.01)],
    ['--max-grad-norm', setting('maxGradNorm', 1)],
    ['--max-seq-length', setting('maxSeqLength', 384)],
    ['--doc-stride', setting('docStride', 128)],
    ['--seed', setting('seed', 42)],
    ...(s['spantune.dropout'] !== undefined ? [['--dropout', s['spantune.dropout']] as [string, unknown]] : []),
  ];
  const started = performance.now();
  const code = await run(process.execPath, [
    'dist/cli.js', 'train', '--model', modelDir, '--train', path.join(out, 'train.json'), '--validation', path.join(out, 'validation.json'),
    '--output', path.join(out, 'model'), '--version-2-with-negative', '--log', path.join(out, 'log.jsonl'),
    ...flags.flatMap(([flag, value]) => [flag, String(value)]), ...extra,
  ]);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`spantune train exited with ${code}`);
  console.error(`[demo] trained in ${seconds.toFixed(0)} s; checking the final model's answers`);
  process.exitCode = await run(process.execPath, ['--import', 'tsx', 'scripts/demo/check-answers.ts', path.join(out, 'model')]);
}

main().catch((error: Error) => {
  console.error(`[demo] ${error.message}`);
  process.exit(1);
});

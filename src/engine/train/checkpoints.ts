/**
 * Training checkpoints: the model in Hugging Face layout plus what resuming needs (optimizer moments
 * in optimizer.safetensors, step counts and progress in trainer_state.json). A checkpoint folder is
 * replaced whole: written beside it, then swapped in by rename, so a crash leaves the previous one.
 */
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs/atomic';
import { readSafetensors, writeSafetensors } from '../checkpoint/safetensors';
import { UserError } from '../errors';
import type { SquadScores } from '../process/protocol';
import type { AdamWState } from './adamw-state';

export const TRAINER_STATE_FILE = 'trainer_state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';

export interface TrainerState {
  /** Optimizer steps completed. */
  globalStep: number;
  totalSteps: number;
  epoch: number;
  best?: { step: number; scores: SquadScores };
  baseScores?: SquadScores;
  /** The latest validation scores (those of the weights at the last evaluation). */
  lastScores?: SquadScores;
  evalsWithoutImprovement: number;
  /** The settings that shape the run; resuming with others would not reproduce it. */
  fingerprint: Record<string, unknown>;
  losses: { step: number; loss: number }[];
}

export async function saveTrainingCheckpoint(
  dir: string,
  parts: { saveModel: (dir: string) => Promise<void>; optimizer?: AdamWState; state: TrainerState },
): Promise<void> {
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await parts.saveModel(staging);
  if (parts.optimizer) {
    const tensors = parts.optimizer.parameters.flatMap((p) => [
      { name: `exp_avg.${p.name}`, shape: p.shape, data: p.expAvg },
      { name: `exp_avg_sq.${p.name}`, shape: p.shape, data: p.expAvgSq },
    ]);
    await writeSafetensors(path.join(staging, OPTIMIZER_FILE), tensors, { format: 'spantune-adamw' });
  }
  const { parameters, ...hyper } = parts.optimizer ?? { parameters: [] };
  const steps = Object.fromEntries(parameters.map((p) => [p.name, p.step]));
  await writeFileAtomic(path.join(staging, TRAINER_STATE_FILE), `${JSON.stringify({ ...parts.state, optimizer: { ...hyper, steps } }, null, 2)}\n`);
  const previous = `${dir}.previous-${process.pid}`;
  if (existsSync(dir)) await rename(dir, previous);
  await rename(staging, dir);
  await rm(previous, { recursive: true, force: true });
}

export function hasTrainingCheckpoint(dir: string): boolean {
  recoverInterruptedSwap(dir);
  return existsSync(path.join(dir, TRAINER_STATE_FILE)) && existsSync(path.join(dir, OPTIMIZER_FILE));
}

/**
 * A process killed between the two renames of saveTrainingCheckpoint leaves the previous checkpoint
 * beside `dir` and nothing at `dir`: put it back, so that resuming finds it.
 */
function recoverInterruptedSwap(dir: string): void {
  if (existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `${path.basename(dir)}.previous-`;
  const left = readdirSync(parent).filter((name) => name.startsWith(prefix));
  if (left.length > 0) renameSync(path.join(parent, left[0]!), dir);
}

export async function loadTrainingCheckpoint(dir: string): Promise<{ state: TrainerState; optimizer: AdamWState }> {
  let saved: TrainerState & { optimizer: Omit<AdamWState, 'parameters'> & { steps: Record<string, number> } };
  try {
    saved = JSON.parse(await readFile(path.join(dir, TRAINER_STATE_FILE), 'utf8'));
  } catch (error) {
    throw new UserError(`cannot resume: ${path.join(dir, TRAINER_STATE_FILE)} is unreadable (${(error as Error).message})`);
  }
  const { tensors } = await readSafetensors(path.join(dir, OPTIMIZER_FILE));
  const { steps, ...hyper } = saved.optimizer;
  const parameters = Object.entries(steps).map(([name, step]) => {
    const expAvg = tensors.get(`exp_avg.${name}`);
    const expAvgSq = tensors.get(`exp_avg_sq.${name}`);
    if (!expAvg || !expAvgSq) throw new UserError(`cannot resume: ${OPTIMIZER_FILE} in ${dir} lacks the moments of ${name}`);
    return { name, shape: expAvg.shape, step, expAvg: expAvg.data, expAvgSq: expAvgSq.data };
  });
  const { optimizer: _omit, ...state } = saved;
  void _omit;
  return { state, optimizer: { ...hyper, parameters } };
}

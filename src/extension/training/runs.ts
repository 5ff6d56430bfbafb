/**
 * Training runs of the workspace, one folder each under .spantune/runs/<id>/ with run.json (settings,
 * curves, scores, outcome), the train/validation files it used and the model it produced.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../../engine/fs/atomic';
import type { EngineReport, SquadScores, TrainSettings } from '../../engine/process/protocol';

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'failed';

export interface RunRecord {
  id: string;
  started: string;
  ended?: string;
  status: RunStatus;
  settings: TrainSettings;
  backend?: EngineReport;
  totalSteps?: number;
  trainExamples?: number;
  validationExamples?: number;
  /** Windows (features) the run trains and validates on, counted before it started. */
  trainWindows?: number;
  validationWindows?: number;
  /** The base model's shape and window length, the key of its measured speed. */
  shape?: string;
  modelSize?: { hiddenSize: number; intermediateSize: number; numHiddenLayers: number };
  steps: { step: number; loss: number; lr: number; examplesPerSecond: number; etaSeconds: number }[];
  evals: { step: number; exact: number; f1: number }[];
  base?: SquadScores;
  best?: SquadScores;
  /** Folder of the model to use from this run (best if validation ran, else the final one). */
  modelDir?: string;
  reason?: string;
}

export class RunStore {
  constructor(readonly runsDir: string) {}

  newRunId(now = new Date()): string {
    return now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  }

  runDir(id: string): string {
    return path.join(this.runsDir, id);
  }

  async save(run: RunRecord): Promise<void> {
    await mkdir(this.runDir(run.id), { recursive: true });
    await writeFileAtomic(path.join(this.runDir(run.id), 'run.json'), JSON.stringify(run, null, 2) + '\n');
  }

  /** Every readable run, newest first (a run folder without a readable run.json is skipped). */
  async list(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.runsDir);
    } catch {
      return [];
    }
    const runs: RunRecord[] = [];
    for (const name of names) {
      try {
        runs.push(JSON.parse(await readFile(path.join(this.runsDir, name, 'run.json'), 'utf8')) as RunRecord);
      } catch {
        // not a run folder
      }
    }
    return runs.sort((a, b) => b.started.localeCompare(a.started));
  }
}

/**
 * The demo workspace `npm start` opens: a copy of demo/workspace (the documents, their dataset and
 * the training settings) with the demo model created inside it, both checked before anyone opens it.
 */
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseDatasetText } from '../../src/extension/logic/dataset-file';
import { checkDemoModel, createDemoModel } from './model';
import { demoWorkspaceDir } from './paths';

/** Where the demo settings point `spantune.baseModel` (relative to the workspace). */
export const DEMO_MODEL_PATH = '.spantune/demo-model';

export function demoSettings(workspace = demoWorkspaceDir): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;
}

/**
 * Copies the demo workspace to `target` unless it is there already (a kept copy keeps the user's
 * annotations and runs; `fresh` starts over), creates the demo model when it is missing or cannot
 * be read, and checks the dataset and the settings. Throws with what is wrong.
 */
export async function prepareDemoWorkspace(target: string, options: { fresh?: boolean; log?: (line: string) => void } = {}): Promise<{ modelDir: string; createdModel: boolean }> {
  const log = options.log ?? (() => {});
  if (options.fresh) rmSync(target, { recursive: true, force: true });
  if (!existsSync(target)) cpSync(demoWorkspaceDir, target, { recursive: true });
  const settings = demoSettings(target);
  if (settings['spantune.baseModel'] !== DEMO_MODEL_PATH) throw new Error(`${target}/.vscode/settings.json: spantune.baseModel must be ${DEMO_MODEL_PATH}`);
  const modelDir = path.join(target, DEMO_MODEL_PATH);
  let createdModel = false;
  const usable = existsSync(path.join(modelDir, 'config.json')) && (await checkDemoModel(modelDir).then(() => true, () => false));
  if (!usable) {
    log(`creating the demo model (a small BERT with seeded random weights) in ${modelDir}`);
    rmSync(modelDir, { recursive: true, force: true });
    await createDemoModel(modelDir);
    createdModel = true;
  }
  await checkDemoModel(modelDir);
  const datasetFile = path.join(target, '.spantune', 'dataset.json');
  parseDatasetText(readFileSync(datasetFile, 'utf8'), datasetFile);
  return { modelDir, createdModel };
}

/** Where things are: the repository, code-server, Chromium, scratch space and screenshots. */
import { cpSync } from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const codeServerEntry = path.join(repoRoot, 'e2e', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.SPANTUNE_CHROMIUM ?? '/usr/bin/chromium';
/** Scratch space for code-server profiles and test workspaces (ignored by git). */
export const scratchRoot = path.join(repoRoot, '.e2e');
export const screenshotsDir = path.join(repoRoot, 'test-artifacts', 'screenshots');
/**
 * For the tests only: a copy of the shared tiny fixture model (running it keeps its built ONNX graph
 * in the model folder). Made when called, never on import: `npm start` imports this module and must
 * work in a clone without ../shared.
 */
export function copyFixtureModel(): string {
  const copy = path.join(scratchRoot, 'fixture-models', 'tiny-bert-qa');
  cpSync(path.resolve(repoRoot, '..', 'shared', 'fixtures', 'models', 'tiny-bert-qa'), copy, { recursive: true, filter: (source) => path.basename(source) !== 'onnx' });
  return copy;
}

/**
 * A private copy of a shared fixture model: running a model on ONNX Runtime keeps its built graph in
 * the model folder (`onnx/`), and tests must not write into ../shared.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const sharedFixtureModel = (name: string) => path.resolve(__dirname, '../../../shared/fixtures/models', name);

/** Copies ../shared/fixtures/models/<name> into a fresh temporary folder and returns the copy. */
export function copyFixtureModel(name: string): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), `spantune-${name}-`)), name);
  cpSync(sharedFixtureModel(name), dir, { recursive: true, filter: (source) => path.basename(source) !== 'onnx' });
  return dir;
}

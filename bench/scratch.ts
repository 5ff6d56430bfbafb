/**
 * Folders a benchmark writes (random models of hundreds of megabytes with their ONNX graphs, data
 * files, training output), removed when the benchmark's process ends: runs used to leave them in
 * the temporary folder, 35 GB of them on the CI machine after two days of measuring.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const folders: string[] = [];

process.on('exit', () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
// Ctrl+C ends the benchmark through 'exit', so that its folders go too.
process.once('SIGINT', () => process.exit(130));

/** A new folder under the temporary folder, `spantune-bench-<name>-XXXXXX`, removed at exit. */
export function scratchFolder(name: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), `spantune-bench-${name}-`));
  folders.push(folder);
  return folder;
}

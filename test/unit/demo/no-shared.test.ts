/**
 * The product never reads ../shared (the fixtures beside the repository that only tests and
 * benchmarks may use): `npm start` (scripts/start.ts and all it imports, e2e/lib included), the
 * extension, the engine process and the CLI, each bundled from the current sources with comments
 * dropped, name no `shared` folder. (An import-time copy from ../shared in e2e/lib/paths.ts once
 * broke `npm start` in a fresh clone.)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const repoRoot = path.resolve(__dirname, '../../..');
const entries = {
  start: 'scripts/start.ts',
  'demo-prepare': 'scripts/demo/prepare.ts',
  extension: 'src/extension/extension.ts',
  'engine-process': 'src/engine/process/engine-process.ts',
  cli: 'src/cli/main.ts',
};

test('npm start, the extension, the engine process and the CLI name no ../shared', async () => {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, path.join(repoRoot, source)])),
    outdir: path.join(repoRoot, 'out', 'no-shared-check'),
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    legalComments: 'none',
    logLevel: 'silent',
  });
  assert.equal(result.outputFiles.length, Object.keys(entries).length);
  for (const file of result.outputFiles) {
    // Code only: esbuild keeps no comments, so what remains are paths the code builds or reads.
    const named = file.text.split('\n').filter((line) => /["'`]shared["'`/]|\.\.[/\\]shared\b/.test(line));
    assert.deepEqual(named, [], `${path.basename(file.path)} names a shared folder`);
  }
});

// Bundles the mocha suites that run inside the extension host (test/extension/*.test.ts) into
// out/test/extension/*.test.js; `vscode` comes from the host, mocha's globals from the runner.
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'test/extension';
rmSync('out/test/extension', { recursive: true, force: true });
await esbuild.build({
  entryPoints: readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => join(dir, f)),
  outdir: 'out/test/extension',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

// Bundles every entry point of SpanTune: the extension, the engine process, the CLI and the
// webview scripts. Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Native TensorFlow builds are optional and loaded lazily at run time; ONNX Runtime is loaded from its
// own package folder (shipped beside the bundle, or installed with CUDA); `vscode` is provided by the host.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'];

/** Node entry points: [source, output name]. */
const nodeEntries = [
  ['src/cli/main.ts', 'cli'],
  ['src/engine/process/engine-process.ts', 'engine-process'],
  ['src/extension/extension.ts', 'extension'],
].filter(([source]) => existsSync(source));

/** Browser entry points for webviews: every webview/*.ts file. */
const webviewEntries = existsSync('webview')
  ? readdirSync('webview').filter((f) => f.endsWith('.ts')).map((f) => join('webview', f))
  : [];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
};

const builds = [
  {
    ...common,
    entryPoints: Object.fromEntries(nodeEntries.map(([source, name]) => [name, source])),
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: nodeExternals,
  },
];
if (webviewEntries.length > 0) {
  builds.push({
    ...common,
    entryPoints: webviewEntries,
    outdir: 'dist/webview',
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
  });
}

/** The wasm backend loads its .wasm binaries from beside the bundle. */
function copyWasmBinaries() {
  const from = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
  mkdirSync('dist', { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wasm'))) {
    cpSync(join(from, file), join('dist', file));
  }
}

copyWasmBinaries();
if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

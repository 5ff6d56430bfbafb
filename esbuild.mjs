// Bundles every entry point of SpanTune: the extension, the engine process, the CLI and the
// webview scripts. Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import nodeBundles from './scripts/node-bundles.cjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const { nodeExternals, nodeProgramBuilds } = nodeBundles;

/**
 * The extension: a tiny entry (package.json "main") that times the load of the main bundle, the main
 * bundle, and the parts it loads on first use only (the Hub client with undici and @huggingface/hub;
 * the CUDA setup with the ONNX graph builder and onnx-proto), each a bundle of its own so activation
 * neither reads nor runs them. The main bundle may import those parts only with `await import(...)`.
 * (Generation, with compromise, runs in the engine process.)
 */
const extensionChunks = {
  'src/engine/hub/index.ts': 'extension-hub',
  'src/engine/onnx/cuda-setup.ts': 'extension-cuda-setup',
};

const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const target = Object.keys(extensionChunks).find((source) => {
        const resolved = join(args.resolveDir, args.path);
        return [resolved, `${resolved}.ts`, join(resolved, 'index.ts')].some((candidate) => candidate === join(process.cwd(), source));
      });
      if (!target) return undefined;
      if (args.kind !== 'dynamic-import') {
        return { errors: [{ text: `${args.importer} imports ${args.path} statically: load it with await import(...) so that activation does not` }] };
      }
      return { path: `./${extensionChunks[target]}.js`, external: true };
    });
  },
};

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

const node = { ...common, outdir: 'dist', platform: 'node', target: 'node20', format: 'cjs', external: nodeExternals };
const builds = [
  // The CLI and the engine process (scripts/node-bundles.cjs).
  ...nodeProgramBuilds({ outdir: 'dist', sourcemap: common.sourcemap, minify: production }),
  { ...node, entryPoints: { extension: 'src/extension/entry.ts' }, external: [...nodeExternals, './extension-main.js'] },
  { ...node, entryPoints: { 'extension-main': 'src/extension/extension.ts' }, plugins: [lazyChunks] },
  { ...node, entryPoints: Object.fromEntries(Object.entries(extensionChunks).map(([source, name]) => [name, source])) },
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

/**
 * Chunks are named by their content, so each build of changed code leaves new ones beside the old;
 * engine-process.js is the single CommonJS bundle of earlier versions. None of them is read any more.
 */
function removeOldNodeOutputs() {
  if (!existsSync('dist')) return;
  for (const file of readdirSync('dist')) {
    if (/^chunk-\w+\.mjs(\.map)?$|^engine-process\.js(\.map)?$/.test(file)) rmSync(join('dist', file));
  }
}

removeOldNodeOutputs();
copyWasmBinaries();
if (watch) {
  for (const options of builds) {
    const context = await esbuild.context(options);
    await context.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}

// esbuild options for SpanTune's two Node programs, shared by esbuild.mjs and the tests that build the CLI.
//
// The CLI (dist/cli.mjs) and the engine process (dist/engine-process.mjs) are ES modules split into
// shared chunks, so that a command or an engine job reads and compiles only the code it runs. One
// bundle was 8 MB, TensorFlow.js and the generators included, and compiling it took a third of a
// second before `spantune ask` began. dist/cli.js is the small CommonJS door that bin/spantune.js
// requires and `node dist/cli.js` runs.

// Native TensorFlow builds are optional and loaded lazily at run time; ONNX Runtime is loaded from its
// own package folder (shipped beside the bundle, or installed with CUDA); `vscode` is provided by the host.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'];

// ES modules have no require, __filename or __dirname; the bundled CommonJS packages and the engine's
// lookups beside its bundle (ONNX Runtime, the wasm binaries) need them. Every chunk sits in the same
// folder as the entry points, so __dirname is that folder in each of them.
const commonJsGlobals = [
  "import { createRequire as __spantuneCreateRequire } from 'node:module';",
  "import { fileURLToPath as __spantuneFileURLToPath } from 'node:url';",
  "import { dirname as __spantuneDirname } from 'node:path';",
  'const require = __spantuneCreateRequire(import.meta.url);',
  'const __filename = __spantuneFileURLToPath(import.meta.url);',
  'const __dirname = __spantuneDirname(__filename);',
].join(' ');

/**
 * @param {{ outdir: string, root?: string, sourcemap?: boolean | 'linked', minify?: boolean, logLevel?: import('esbuild').LogLevel }} options
 * @returns {import('esbuild').BuildOptions[]}
 */
function nodeProgramBuilds({ outdir, root = '.', sourcemap = false, minify = false, logLevel = 'info' }) {
  const source = (file) => `${root}/${file}`;
  const common = { bundle: true, platform: 'node', target: 'node20', outdir, sourcemap, minify, logLevel };
  return [
    {
      ...common,
      entryPoints: { cli: source('src/cli/main.ts'), 'engine-process': source('src/engine/process/engine-process.ts') },
      format: 'esm',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      external: nodeExternals,
      banner: { js: commonJsGlobals },
    },
    { ...common, entryPoints: { cli: source('src/cli/door.ts') }, format: 'cjs', external: nodeExternals },
  ];
}

module.exports = { nodeExternals, nodeProgramBuilds };

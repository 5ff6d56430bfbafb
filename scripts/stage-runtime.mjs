// Copies the parts of ONNX Runtime the engine loads at run time into dist/node_modules, for one
// target platform only: onnxruntime-node's JavaScript and bin/napi-v6/<platform>/<arch> (its native
// binding and libonnxruntime, about 45 MB on linux-x64 instead of 290 MB for every platform), and
// onnxruntime-common's CommonJS build. The engine finds them beside its bundle (dist/engine-process.mjs).
// Usage: node scripts/stage-runtime.mjs <vsce target, e.g. linux-x64> | --clean
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const staged = join('dist', 'node_modules');
const target = process.argv[2];
rmSync(staged, { recursive: true, force: true });
if (target === '--clean') process.exit(0);

const match = /^(linux|darwin|win32)-(x64|arm64)$/.exec(target ?? '');
if (!match) {
  console.error(`stage-runtime: unknown target '${target}' (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64, win32-arm64)`);
  process.exit(2);
}
const [, platform, arch] = match;
const ort = join('node_modules', 'onnxruntime-node');
const binaries = join(ort, 'bin', 'napi-v6', platform, arch);
if (!existsSync(join(binaries, 'onnxruntime_binding.node'))) {
  console.error(`stage-runtime: onnxruntime-node has no binaries for ${target} (${binaries})`);
  process.exit(2);
}
const copy = (from, to) => {
  mkdirSync(join(to, '..'), { recursive: true });
  cpSync(from, to, { recursive: true });
};
copy(join(ort, 'package.json'), join(staged, 'onnxruntime-node', 'package.json'));
copy(join(ort, 'dist'), join(staged, 'onnxruntime-node', 'dist'));
copy(binaries, join(staged, 'onnxruntime-node', 'bin', 'napi-v6', platform, arch));
const common = join('node_modules', 'onnxruntime-common');
copy(join(common, 'package.json'), join(staged, 'onnxruntime-common', 'package.json'));
copy(join(common, 'dist', 'cjs'), join(staged, 'onnxruntime-common', 'dist', 'cjs'));
const version = JSON.parse(readFileSync(join(ort, 'package.json'), 'utf8')).version;
console.error(`stage-runtime: onnxruntime-node ${version} for ${target} in ${staged}`);

/**
 * Setting up ONNX Runtime's CUDA provider, with everything that can run on a machine without a GPU:
 * the machine check in plain words, the npm command line, progress read from the install script's
 * output, and the load check in a child process reporting why the provider does not start.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { MachineProbe } from '../../../src/engine/backend/native-setup';
import { checkCudaSupport, explainCudaFailure, installCudaProvider, type CudaProgress } from '../../../src/engine/onnx/cuda-setup';

function probe(overrides: Partial<MachineProbe>): MachineProbe {
  return { platform: 'linux', arch: 'x64', sharedLibraries: () => '', pathFolders: () => [], exists: () => false, ...overrides };
}
const ldconfig = (...libs: string[]) => libs.map((l) => `\t${l} (libc6,x86-64) => /usr/lib/${l}`).join('\n');

test('the machine check names what is missing: the GPU, CUDA 12, cuBLAS, cuDNN 9; macOS is told why not', () => {
  const bare = checkCudaSupport(probe({}));
  assert.equal(bare.ok, false);
  assert.match(bare.problems.join('\n'), /no NVIDIA GPU.*\n.*libcudart\.so\.12.*\n.*libcublasLt\.so\.12.*\n.*libcudnn\.so\.9/);
  const ready = checkCudaSupport(probe({ exists: (f) => f === '/dev/nvidia0', sharedLibraries: () => ldconfig('libcudart.so.12', 'libcublasLt.so.12', 'libcudnn.so.9') }));
  assert.deepEqual(ready.problems, []);
  assert.match(checkCudaSupport(probe({ platform: 'darwin', arch: 'arm64' })).problems[0]!, /Linux x86-64 only, not darwin-arm64/);
});

/** A stand-in for npm: records its arguments and environment, prints what the install script prints, and leaves a package behind. */
function fakeNpm(dir: string, packageIndex: string): string {
  const script = path.join(dir, 'npm.sh');
  const pkg = '"$3/node_modules/onnxruntime-node"';
  writeFileSync(script, `#!/bin/sh
echo "$@" > "${dir}/args.txt"
echo "$ONNXRUNTIME_NODE_INSTALL" > "${dir}/env.txt"
pwd > "${dir}/cwd.txt"
mkdir -p ${pkg}
printf '{"name":"onnxruntime-node","version":"1.30.0","main":"index.js"}' > ${pkg}/package.json
printf '%s' '${packageIndex}' > ${pkg}/index.js
echo "Downloading https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg"
for f in libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so libonnxruntime_providers_tensorrt.so; do
  echo "Extracting runtimes/linux-x64/native/$f to $3/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/$f"
done
`);
  chmodSync(script, 0o755);
  return script;
}

const failingCuda = `module.exports = { env: {}, Tensor: function () {}, InferenceSession: { create: () => Promise.reject(new Error("Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file: No such file or directory")) } };`;
const workingCuda = `module.exports = { env: {}, Tensor: function (t, d) { this.data = d; }, InferenceSession: { create: (m, o) => Promise.resolve({ run: () => Promise.resolve({ y: { data: [o.executionProviders[0] === "cuda" ? 2 : 0] } }) }) } };`;

test('the install runs npm with the CUDA flag in SpanTune\'s folder, reports progress, and checks that CUDA starts', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-cuda-'));
  const target = path.join(dir, 'native');
  const events: CudaProgress[] = [];
  const result = await installCudaProvider({ dir: target, npm: fakeNpm(dir, workingCuda), skipCheck: true, onProgress: (p) => events.push(p) });
  assert.equal(result.packageDir, path.join(target, 'node_modules', 'onnxruntime-node'));
  assert.equal(readFileSync(path.join(dir, 'args.txt'), 'utf8').trim(), `install --prefix ${target} --no-audit --no-fund --foreground-scripts --onnxruntime-node-install=cuda12 onnxruntime-node@1.30.0`);
  assert.equal(readFileSync(path.join(dir, 'env.txt'), 'utf8').trim(), 'cuda12');
  assert.equal(readFileSync(path.join(dir, 'cwd.txt'), 'utf8').trim(), target, 'npm runs in SpanTune\'s folder, away from a project .npmrc');
  assert.deepEqual(events.map((e) => e.phase), ['installing', 'downloading the CUDA provider', 'extracting', 'extracting', 'extracting', 'verifying', 'done']);
  assert.deepEqual(events.map((e) => e.percent), [0, 10, 37, 63, 90, 95, 100]);
  assert.match(events[4]!.message, /libonnxruntime_providers_tensorrt\.so \(3 of 3\)/);
});

test('a provider that installs but does not start is reported in plain words', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-cuda-'));
  await assert.rejects(
    installCudaProvider({ dir: path.join(dir, 'native'), npm: fakeNpm(dir, failingCuda), skipCheck: true }),
    /^UserError: the CUDA provider was installed in .*onnxruntime-node but does not start: libcublasLt\.so\.12 is missing: install CUDA 12 and cuDNN 9/,
  );
  await assert.rejects(installCudaProvider({ dir: path.join(dir, 'native2'), probe: probe({}) }), /cannot set up ONNX Runtime's CUDA provider: no NVIDIA GPU/);
  assert.equal(explainCudaFailure('CUDA failure 100: no CUDA-capable device is detected'), 'no usable NVIDIA GPU (or a driver too old for CUDA 12)');
});

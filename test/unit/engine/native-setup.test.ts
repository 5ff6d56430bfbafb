import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkNativeSupport, findNativePackage, installNativeBackend, type InstallProgress, type MachineProbe } from '../../../src/engine/backend/native-setup';

function probe(overrides: Partial<MachineProbe>): MachineProbe {
  return { platform: 'linux', arch: 'x64', sharedLibraries: () => '', pathFolders: () => [], exists: () => false, ...overrides };
}

const ldconfig = (...libs: string[]) => libs.map((l) => `\t${l} (libc6,x86-64) => /usr/lib/${l}`).join('\n');

test('GPU setup names the missing CUDA 11.2 and cuDNN 8.1, and another CUDA version it found', () => {
  const check = checkNativeSupport('gpu', probe({ sharedLibraries: () => ldconfig('libcudart.so.13', 'libnvvm.so.4') }));
  assert.equal(check.ok, false);
  assert.match(check.problems[0]!, /CUDA 11\.2 is missing: libcudart\.so\.11\.0 was not found \(found libcudart\.so\.13/);
  assert.match(check.problems[1]!, /cuDNN 8\.1 is missing/);
});

test('GPU setup accepts Linux with CUDA 11 and cuDNN 8, and Windows with the DLLs on PATH', () => {
  assert.equal(checkNativeSupport('gpu', probe({ sharedLibraries: () => ldconfig('libcudart.so.11.0', 'libcudnn.so.8') })).ok, true);
  const windows = probe({ platform: 'win32', pathFolders: () => ['C:\\cuda\\bin'], exists: (f) => /cudart64_110|cudnn64_8/.test(f) });
  assert.equal(checkNativeSupport('gpu', windows).ok, true);
});

test('no GPU build on macOS: the message says to use the CPU build; the CPU build is fine there', () => {
  const mac = probe({ platform: 'darwin', arch: 'arm64' });
  assert.match(checkNativeSupport('gpu', mac).problems[0]!, /only on Linux and Windows x86-64.*CPU build/);
  assert.equal(checkNativeSupport('cpu', mac).ok, true);
});

/** A stand-in for npm: prints what tfjs-node's install prints, then succeeds or fails. */
function fakeNpm(dir: string, behaviour: 'ok' | 'offline' | 'broken-package'): string {
  const script = path.join(dir, `npm-${behaviour}.sh`);
  const pkg = '"$3/node_modules/@tensorflow/tfjs-node"';
  const body = {
    ok: `mkdir -p ${pkg}; echo "* Downloading libtensorflow 50%"; echo "* Downloading libtensorflow 100%"; printf 'module.exports = { ready: async () => {}, getBackend: () => "tensorflow" };' > ${pkg}/index.js; printf '{"name":"@tensorflow/tfjs-node","main":"index.js"}' > ${pkg}/package.json`,
    offline: 'echo "npm error code ENOTFOUND" >&2; echo "npm error network request to https://storage.googleapis.com failed" >&2; exit 1',
    'broken-package': `mkdir -p ${pkg}; printf 'throw new Error("libtensorflow.so.2: cannot open shared object file");' > ${pkg}/index.js; printf '{"name":"x","main":"index.js"}' > ${pkg}/package.json`,
  }[behaviour];
  writeFileSync(script, `#!/bin/sh\n${body}\n`);
  chmodSync(script, 0o755);
  return script;
}

test('install reports progress, and checks that the package loads in a child process', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-native-'));
  const events: InstallProgress[] = [];
  const result = await installNativeBackend({ kind: 'cpu', dir: path.join(dir, 'native'), npm: fakeNpm(dir, 'ok'), probe: probe({}), onProgress: (p) => events.push(p) });
  assert.equal(result.modulesDir, path.join(dir, 'native', 'node_modules'));
  assert.deepEqual(events.map((e) => e.phase), ['checking', 'installing', 'downloading libtensorflow', 'downloading libtensorflow', 'verifying', 'done']);
  assert.deepEqual(events.filter((e) => e.percent !== undefined).map((e) => e.percent), [50, 100, 100]);
});

test('install failures say what went wrong in plain words', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-native-'));
  mkdirSync(path.join(dir, 'native'));
  await assert.rejects(installNativeBackend({ kind: 'cpu', dir: path.join(dir, 'native'), npm: fakeNpm(dir, 'offline'), probe: probe({}) }), /cannot reach the npm registry or storage\.googleapis\.com/);
  await assert.rejects(installNativeBackend({ kind: 'cpu', dir: path.join(dir, 'native'), npm: fakeNpm(dir, 'broken-package'), probe: probe({}) }), /does not load: .*libtensorflow\.so\.2/);
  await assert.rejects(installNativeBackend({ kind: 'gpu', dir: path.join(dir, 'native'), probe: probe({ platform: 'darwin', arch: 'arm64' }) }), /cannot set up @tensorflow\/tfjs-node-gpu: .*Linux and Windows/);
});

test('a native package is used only in the version the engine is built with; another version is named, not called missing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-native-'));
  const place = (folder: string, version: string) => {
    const pkg = path.join(dir, folder, 'node_modules', '@tensorflow', 'tfjs-node');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node', version }));
    return pkg;
  };
  const old = place('project', '4.10.0');
  const wrong = findNativePackage('@tensorflow/tfjs-node', [path.join(dir, 'project')]);
  assert.equal(wrong.dir, undefined);
  assert.equal(wrong.reason, 'wrong version');
  assert.match(wrong.detail, new RegExp(`4\\.22\\.0 is needed; found only ${old.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(4\\.10\\.0\\)`));
  const right = place('native', '4.22.0');
  assert.equal(findNativePackage('@tensorflow/tfjs-node', [path.join(dir, 'project'), path.join(dir, 'native')]).dir, right);
  assert.equal(findNativePackage('@tensorflow/tfjs-node', [path.join(dir, 'nowhere')]).reason, 'not installed');
});

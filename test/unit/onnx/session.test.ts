/**
 * Sessions on ONNX Runtime: the CPU provider with the requested threads, fallback along the ladder
 * when a provider cannot start or fails to run (saying so), one clear error naming the model and the
 * provider when nothing is left, and runtime copies of the wrong version passed over.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { isUserError } from '../../../src/engine/errors';
import { FLOAT, GraphBuilder } from '../../../src/engine/onnx/graph';
import { describeProviders } from '../../../src/engine/onnx/providers';
import { loadFirstUsable, loadOnnxRuntime, ONNXRUNTIME_VERSION, OnnxRuntimeUnavailable, runtimeCandidates, type OnnxRuntime } from '../../../src/engine/onnx/runtime';
import { createSession } from '../../../src/engine/onnx/session';

/** y = x + 1 over a float vector of any length. */
function addOneGraph(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('x', FLOAT, ['n']);
  g.output(g.add(x, g.scalar(1), 'y'), 'y', FLOAT, ['n']);
  return g.toModel({ name: 'add-one' });
}

test('a session runs on the CPU provider with the threads asked for, and reports it in one line', async () => {
  const session = await createSession(addOneGraph(), { label: 'the add-one graph', threads: 1 });
  try {
    assert.equal(session.provider, 'cpu');
    const out = await session.run({ x: session.tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
    assert.deepEqual([...(out.y!.data as Float32Array)], [2, 3, 4]);
    assert.match(describeProviders(session.report), /^onnxruntime cpu, 1 thread\b/);
  } finally {
    await session.release();
  }
});

test('a provider that cannot start gives way to the next one, and the report says why', async () => {
  const logs: string[] = [];
  // This machine has no CUDA provider library: creating a CUDA session fails for real.
  const session = await createSession(addOneGraph(), { label: 'the add-one graph', ladder: ['cuda', 'cpu'], threads: 1, onLog: (l) => logs.push(l) });
  try {
    assert.equal(session.provider, 'cpu');
    assert.deepEqual(session.report.skipped.map((s) => `${s.name}: ${s.reason}`), ['cuda: failed to start']);
    assert.match(logs.join('\n'), /onnxruntime cuda could not start the add-one graph .*; trying cpu/);
  } finally {
    await session.release();
  }
});

test('a forced provider that cannot start is one error naming the model and the provider', async () => {
  await assert.rejects(createSession(addOneGraph(), { label: 'model /models/mini', provider: 'cuda' }), (error: Error) => {
    assert.ok(isUserError(error));
    assert.match(error.message, /^ONNX Runtime \(cuda provider\) could not load model \/models\/mini: /);
    assert.equal(error.message.split('\n').length, 1);
    return true;
  });
});

test('a model ONNX Runtime rejects is one error naming it', async () => {
  await assert.rejects(createSession(Uint8Array.from([8, 1, 18, 3, 1, 2, 3]), { label: 'model /models/broken' }), /^UserError: ONNX Runtime \(cpu provider\) could not load model \/models\/broken: /);
});

test('a provider that fails to run moves the session to the next one, which answers', async () => {
  const real = loadOnnxRuntime();
  const opened: string[] = [];
  // A runtime whose "webgpu" sessions open but fail to run (as a GPU out of memory would).
  const flaky: OnnxRuntime = {
    ...real,
    ort: {
      ...real.ort,
      InferenceSession: {
        create: async (model: Uint8Array, options: { executionProviders: string[] }) => {
          const provider = options.executionProviders[0]!;
          opened.push(provider);
          const session = await real.ort.InferenceSession.create(model, { ...options, executionProviders: ['cpu'] });
          if (provider !== 'webgpu') return session;
          return { ...session, inputNames: session.inputNames, outputNames: session.outputNames, release: () => session.release(), run: async () => { throw new Error('device lost: out of memory\nmore detail'); } };
        },
      },
    } as unknown as OnnxRuntime['ort'],
  };
  const logs: string[] = [];
  const session = await createSession(addOneGraph(), { label: 'the add-one graph', runtime: flaky, ladder: ['webgpu', 'cpu'], threads: 1, onLog: (l) => logs.push(l) });
  assert.equal(session.provider, 'webgpu');
  const out = await session.run({ x: session.tensor('float32', Float32Array.from([5]), [1]) });
  assert.deepEqual([...(out.y!.data as Float32Array)], [6]);
  assert.equal(session.provider, 'cpu');
  assert.deepEqual(opened, ['webgpu', 'cpu']);
  assert.match(describeProviders(session.report), /\(webgpu: failed to run\)$/);
  assert.match(logs.join('\n'), /webgpu failed to run the add-one graph \(device lost: out of memory\); moving to cpu/);
  await session.release();

  const forced = await createSession(addOneGraph(), { label: 'the add-one graph', runtime: flaky, provider: 'webgpu', threads: 1 });
  await assert.rejects(forced.run({ x: forced.tensor('float32', Float32Array.from([5]), [1]) }), /^UserError: ONNX Runtime \(webgpu provider\) failed to run the add-one graph: device lost: out of memory$/);
});

test('the install folder comes first; a copy of another version, or one that does not load, is passed over with a note', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'spantune-ort-'));
  const fakePackage = (name: string, version: string, index: string) => {
    const folder = path.join(dir, name, 'node_modules', 'onnxruntime-node');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version, main: 'index.js' }));
    writeFileSync(path.join(folder, 'index.js'), index);
    return folder;
  };
  const old = fakePackage('old', '1.19.0', 'module.exports = {};');
  const broken = fakePackage('broken', ONNXRUNTIME_VERSION, 'throw new Error("libonnxruntime_providers_shared.so: cannot open shared object file");');
  const candidates = runtimeCandidates({ nativeDir: path.join(dir, 'old') });
  assert.deepEqual(candidates[0], { dir: old, installed: true });
  assert.equal(candidates[1]!.installed, false, 'then the shipped copy');

  const runtime = loadFirstUsable([{ dir: old, installed: true }, { dir: broken, installed: true }, candidates[1]!]);
  assert.equal(runtime.installed, false);
  assert.equal(runtime.packageDir, candidates[1]!.dir);
  assert.match(runtime.notes[0]!, /old.*holds onnxruntime-node 1\.19\.0, SpanTune needs 1\.30\.0: not used/);
  assert.match(runtime.notes[1]!, /broken.*failed to load: libonnxruntime_providers_shared\.so: cannot open shared object file/);
  assert.throws(() => loadFirstUsable([{ dir: old, installed: true }]), (error: Error) => error instanceof OnnxRuntimeUnavailable && /1\.19\.0/.test(error.message));
});

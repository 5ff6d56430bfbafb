/**
 * The provider ladder on machines described by hand: what is skipped and why, in the short report
 * line and in the long log lines; and the thread count from the CPU topology.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { describeProviders, physicalCores, planProviders, providerDetails, type MachineInfo } from '../../../src/engine/onnx/providers';

const binaryDir = '/ext/node_modules/onnxruntime-node/bin/napi-v6/linux/x64';
const offer = { backends: [{ name: 'cpu', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }], binaryDir };

/** A Linux machine with the given files and folder listings. */
function machine(files: Record<string, string>, options: Partial<MachineInfo> = {}): MachineInfo {
  return {
    platform: 'linux',
    arch: 'x64',
    env: {},
    exists: (file) => file in files,
    list: (dir) => [...new Set(Object.keys(files).filter((f) => path.dirname(f) === dir).map((f) => path.basename(f)))],
    read: (file) => files[file] ?? '',
    ...options,
  };
}

const vulkanLoader = { '/usr/lib/x86_64-linux-gnu/libvulkan.so.1': '' };
const cudaProvider = { [path.join(binaryDir, 'libonnxruntime_providers_cuda.so')]: '' };
const icd = (name: string, library: string) => ({ [`/usr/share/vulkan/icd.d/${name}.json`]: JSON.stringify({ ICD: { library_path: library } }) });

test('a CPU-only Linux machine: CPU, with CUDA not installed and no GPU for WebGPU', () => {
  const plan = planProviders(offer, undefined, machine({}));
  assert.deepEqual(plan.candidates, ['cpu']);
  const line = describeProviders({ provider: 'cpu', threads: 2, skipped: plan.skipped });
  assert.equal(line, 'onnxruntime cpu, 2 threads (cuda: not installed; webgpu: no GPU)');
  const details = providerDetails({ provider: 'cpu', threads: 2, skipped: plan.skipped });
  assert.match(details[0]!, /^cuda skipped: .*Set Up Accelerated Engine.*setup-engine --cuda/);
  assert.match(details[1]!, /^webgpu skipped: no GPU device is visible/);
});

test('the CUDA provider installed but no NVIDIA device: skipped as "no NVIDIA GPU"', () => {
  const plan = planProviders(offer, undefined, machine({ ...cudaProvider }));
  assert.deepEqual(plan.skipped.map((s) => `${s.name}: ${s.reason}`), ['cuda: no NVIDIA GPU', 'webgpu: no GPU']);
});

test('an NVIDIA machine with the CUDA provider and a Vulkan driver: CUDA, then WebGPU, then CPU', () => {
  const plan = planProviders(offer, undefined, machine({ ...cudaProvider, ...vulkanLoader, '/dev/nvidia0': '', '/dev/nvidiactl': '', ...icd('nvidia_icd', 'libGLX_nvidia.so.0') }));
  assert.deepEqual(plan.candidates, ['cuda', 'webgpu', 'cpu']);
  assert.deepEqual(plan.skipped, []);
});

test('WebGPU is never picked on its own when the only Vulkan drivers are software ones', () => {
  const gpu = { '/dev/dri/renderD128': '', ...vulkanLoader };
  const lavapipe = planProviders(offer, undefined, machine({ ...gpu, ...icd('lvp_icd.x86_64', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so') }));
  assert.deepEqual(lavapipe.candidates, ['cpu']);
  assert.match(describeProviders({ provider: 'cpu', threads: 1, skipped: lavapipe.skipped }), /webgpu: software adapter only\)$/);

  const swiftshader = machine(
    { ...gpu, '/usr/lib/chromium/vk_swiftshader_icd.json': JSON.stringify({ ICD: { library_path: './libvk_swiftshader.so' } }) },
    { env: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' } },
  );
  const plan = planProviders(offer, undefined, swiftshader);
  assert.deepEqual(plan.candidates, ['cpu']);
  assert.match(plan.skipped.find((s) => s.name === 'webgpu')!.detail, /libvk_swiftshader\.so.*--provider webgpu/);
  // Forced, it is used all the same (the WebGPU parity tests do this).
  assert.deepEqual(planProviders(offer, 'webgpu', swiftshader).candidates, ['webgpu']);
});

test('WebGPU on Linux without the Vulkan loader says which package to install', () => {
  const plan = planProviders(offer, undefined, machine({ '/dev/dri/renderD128': '', ...icd('radeon_icd', 'libvulkan_radeon.so') }));
  assert.match(plan.skipped.find((s) => s.name === 'webgpu')!.detail, /libvulkan\.so\.1 was not found.*apt install libvulkan1/);
  const withLoaderOnPath = machine({ '/dev/dri/renderD128': '', '/opt/vk/libvulkan.so.1': '', ...icd('radeon_icd', 'libvulkan_radeon.so') }, { env: { LD_LIBRARY_PATH: '/opt/vk' } });
  assert.deepEqual(planProviders(offer, undefined, withLoaderOnPath).candidates, ['webgpu', 'cpu']);
});

test('macOS: no CUDA provider for Node there; WebGPU runs on Metal', () => {
  const mac = machine({}, { platform: 'darwin', arch: 'arm64' });
  const plan = planProviders({ ...offer, backends: offer.backends.filter((b) => b.name !== 'cuda') }, undefined, mac);
  assert.deepEqual(plan.candidates, ['webgpu', 'cpu']);
  assert.deepEqual(plan.skipped.map((s) => `${s.name}: ${s.reason}`), ['cuda: not for this platform']);
});

test('a forced provider is tried alone, without any check', () => {
  assert.deepEqual(planProviders(offer, 'cuda', machine({})), { candidates: ['cuda'], skipped: [] });
});

test('CPU threads: one per physical core (hyper-thread siblings count once)', () => {
  const topology = (cpu: number, siblings: string) => ({ [`/sys/devices/system/cpu/cpu${cpu}/topology/thread_siblings_list`]: `${siblings}\n`, [`/sys/devices/system/cpu/cpu${cpu}`]: '' });
  const smt = machine({ ...topology(0, '0,2'), ...topology(1, '1,3'), ...topology(2, '0,2'), ...topology(3, '1,3') });
  // Never more than the CPUs this process may use.
  assert.equal(physicalCores(smt), Math.min(2, require('node:os').availableParallelism()));
  const unknown = machine({});
  assert.equal(physicalCores(unknown), require('node:os').availableParallelism());
});

test('the report line names one thread in the singular, and GPU providers without threads', () => {
  assert.equal(describeProviders({ provider: 'cpu', threads: 1, skipped: [] }), 'onnxruntime cpu, 1 thread');
  assert.equal(describeProviders({ provider: 'webgpu', skipped: [{ name: 'cuda', reason: 'not installed', detail: '' }] }), 'onnxruntime webgpu (cuda: not installed)');
});

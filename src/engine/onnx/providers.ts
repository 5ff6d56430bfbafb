/**
 * Which ONNX Runtime execution provider to try, in order: CUDA, WebGPU, CPU. A provider is skipped
 * before trying it when the machine plainly cannot run it (no CUDA provider installed, no GPU, only
 * a software WebGPU adapter), with a short reason for the report line and a long one for the log.
 * A software adapter (SwiftShader, lavapipe) is never picked on its own: it is far slower than the
 * CPU provider. Forcing `webgpu` still uses it (the tests do, to check the WebGPU kernels).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { PROVIDERS, type ProviderName } from '../backend/names';

export { PROVIDERS, type ProviderName };

export interface ProviderSkip {
  name: ProviderName;
  /** A few words for the report line ("not installed", "no GPU"). */
  reason: string;
  /** The whole story and what to do, for the output channel and --verbose. */
  detail: string;
}

/** What the machine offers, behind an interface so that tests can describe any machine. */
export interface MachineInfo {
  platform: NodeJS.Platform;
  arch: string;
  env: NodeJS.ProcessEnv;
  exists(file: string): boolean;
  list(dir: string): string[];
  read(file: string): string;
}

export const thisMachine: MachineInfo = {
  platform: process.platform,
  arch: process.arch,
  env: process.env,
  exists: existsSync,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  read: (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  },
};

/** What the loaded onnxruntime-node package offers. */
export interface RuntimeOffer {
  /** `ort.listSupportedBackends()`: the providers this build knows. */
  backends: { name: string; bundled: boolean }[];
  /** The package's native library folder (the CUDA provider library sits there once installed). */
  binaryDir: string;
}

export interface ProviderPlan {
  /** Providers to try, best first; always ends with 'cpu' unless one was forced. */
  candidates: ProviderName[];
  skipped: ProviderSkip[];
}

/** The ladder for this machine; `force` tries that provider alone. */
export function planProviders(offer: RuntimeOffer, force?: ProviderName, machine: MachineInfo = thisMachine): ProviderPlan {
  if (force) return { candidates: [force], skipped: [] };
  const candidates: ProviderName[] = [];
  const skipped: ProviderSkip[] = [];
  for (const name of PROVIDERS) {
    const skip = name === 'cuda' ? cudaSkip(offer, machine) : name === 'webgpu' ? webgpuSkip(offer, machine) : undefined;
    if (skip) skipped.push(skip);
    else candidates.push(name);
  }
  return { candidates, skipped };
}

/** The CUDA provider's library in an onnxruntime-node binary folder. */
export function cudaProviderLibrary(binaryDir: string, platform: NodeJS.Platform = process.platform): string {
  return path.join(binaryDir, platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so');
}

function cudaSkip(offer: RuntimeOffer, machine: MachineInfo): ProviderSkip | undefined {
  const skip = (reason: string, detail: string): ProviderSkip => ({ name: 'cuda', reason, detail });
  if (machine.platform !== 'linux' || machine.arch !== 'x64') {
    return skip('not for this platform', `ONNX Runtime for Node offers its CUDA provider on Linux x86-64 only, not ${machine.platform}-${machine.arch}`);
  }
  if (!offer.backends.some((b) => b.name === 'cuda')) return skip('not in this build', 'this onnxruntime-node build has no CUDA provider');
  if (!machine.exists(cudaProviderLibrary(offer.binaryDir, machine.platform))) {
    return skip('not installed', `ONNX Runtime's CUDA provider is not installed (${cudaProviderLibrary(offer.binaryDir, machine.platform)} is missing): run "SpanTune: Set Up Accelerated Engine" or \`spantune setup-engine --cuda\``);
  }
  if (!hasNvidiaDevice(machine)) return skip('no NVIDIA GPU', 'no NVIDIA GPU device (/dev/nvidia0, /dev/nvidiactl or WSL\'s /dev/dxg) is visible');
  return undefined;
}

function hasNvidiaDevice(machine: MachineInfo): boolean {
  return ['/dev/nvidiactl', '/dev/nvidia0', '/dev/dxg'].some((device) => machine.exists(device));
}

/** Vulkan drivers that run on the CPU: Dawn would give ONNX Runtime a software adapter through them. */
const SOFTWARE_VULKAN = /swiftshader|lvp|lavapipe|llvmpipe/i;

/** The Vulkan driver manifests the loader would use: VK_DRIVER_FILES / VK_ICD_FILENAMES, else the standard folders. */
export function vulkanDrivers(machine: MachineInfo): { manifest: string; library: string }[] {
  const override = machine.env.VK_DRIVER_FILES ?? machine.env.VK_ICD_FILENAMES;
  const manifests = override
    ? override.split(path.delimiter).filter(Boolean)
    : ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].flatMap((dir) =>
        machine.list(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)),
      );
  return manifests.map((manifest) => {
    let library = '';
    try {
      library = (JSON.parse(machine.read(manifest)) as { ICD?: { library_path?: string } }).ICD?.library_path ?? '';
    } catch {
      // An unreadable manifest is a driver we cannot classify; its name may still say what it is.
    }
    return { manifest, library: library || path.basename(manifest) };
  });
}

/** Folders the dynamic linker searches for libvulkan.so.1 (LD_LIBRARY_PATH first, then the usual ones). */
function libraryFolders(machine: MachineInfo): string[] {
  const fromEnv = (machine.env.LD_LIBRARY_PATH ?? '').split(path.delimiter).filter(Boolean);
  const multiarch = machine.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  return [...fromEnv, `/usr/lib/${multiarch}`, `/lib/${multiarch}`, '/usr/lib64', '/usr/lib', '/lib64', '/lib', '/usr/local/lib'];
}

function webgpuSkip(offer: RuntimeOffer, machine: MachineInfo): ProviderSkip | undefined {
  const skip = (reason: string, detail: string): ProviderSkip => ({ name: 'webgpu', reason, detail });
  if (!offer.backends.some((b) => b.name === 'webgpu')) return skip('not in this build', 'this onnxruntime-node build has no WebGPU provider');
  // macOS (Metal) and Windows (Direct3D 12) always have a driver; Dawn asks for the high-performance adapter.
  if (machine.platform !== 'linux') return undefined;
  const gpuNodes = machine.list('/dev/dri').filter((f) => f.startsWith('renderD'));
  if (gpuNodes.length === 0 && !hasNvidiaDevice(machine)) return skip('no GPU', 'no GPU device is visible (no /dev/dri/renderD* node, no /dev/nvidia*)');
  if (!libraryFolders(machine).some((dir) => machine.exists(path.join(dir, 'libvulkan.so.1')))) {
    return skip('no Vulkan loader', 'WebGPU on Linux runs on Vulkan, and libvulkan.so.1 was not found: install the Vulkan loader (Debian/Ubuntu: apt install libvulkan1)');
  }
  const drivers = vulkanDrivers(machine);
  if (drivers.length === 0) return skip('no Vulkan driver', 'no Vulkan driver manifest found (in /usr/share/vulkan/icd.d or VK_ICD_FILENAMES): install your GPU\'s Vulkan driver');
  if (drivers.every((d) => SOFTWARE_VULKAN.test(d.library))) {
    return skip('software adapter only', `the only Vulkan drivers run on the CPU (${drivers.map((d) => path.basename(d.library)).join(', ')}), slower than the CPU provider; force it with --provider webgpu`);
  }
  return undefined;
}

/**
 * Threads for the CPU provider: one per physical core (hyper-threads share a core's arithmetic
 * units, and matrix kernels gain nothing from them), at most the CPUs this process may use.
 */
export function physicalCores(machine: MachineInfo = thisMachine): number {
  const usable = availableParallelism();
  let cores: number | undefined;
  if (machine.platform === 'linux') {
    const cpus = machine.list('/sys/devices/system/cpu').filter((name) => /^cpu\d+$/.test(name));
    const siblings = new Set(cpus.map((cpu) => machine.read(`/sys/devices/system/cpu/${cpu}/topology/thread_siblings_list`).trim()).filter(Boolean));
    if (siblings.size > 0) cores = siblings.size;
  } else if (machine.platform === 'darwin') {
    try {
      cores = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim()) || undefined;
    } catch {
      cores = undefined;
    }
  }
  return Math.max(1, Math.min(cores ?? usable, usable));
}

/** The provider that runs and why each better one did not, as the engine reports it. */
export interface ProviderReport {
  provider: ProviderName;
  /** Intra-op threads (CPU provider only). */
  threads?: number;
  skipped: ProviderSkip[];
}

/** One short line: "onnxruntime cpu, 2 threads (cuda: not installed; webgpu: no GPU)". */
export function describeProviders(report: ProviderReport): string {
  const threads = report.provider === 'cpu' && report.threads ? `, ${report.threads} thread${report.threads === 1 ? '' : 's'}` : '';
  const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  return `onnxruntime ${report.provider}${threads}${skipped ? ` (${skipped})` : ''}`;
}

/** The long reasons, one line each, for the output channel and --verbose. */
export function providerDetails(report: ProviderReport): string[] {
  return report.skipped.map((s) => `${s.name} skipped: ${s.detail}`);
}

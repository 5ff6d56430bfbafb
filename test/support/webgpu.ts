/**
 * ONNX Runtime's WebGPU provider on this machine's CPU, through SwiftShader (the software Vulkan
 * driver of Debian's chromium package): the environment it needs, and a way to run a script in it.
 * Dawn reads the Vulkan loader and driver at start-up, so the script runs in a child process. A missing
 * SwiftShader is an error, not a reason to skip: the WebGPU checks must run wherever `npm test` runs.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = '/usr/lib/chromium';
const ICD = path.join(CHROMIUM, 'vk_swiftshader_icd.json');

function systemHasVulkanLoader(): boolean {
  try {
    return execFileSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return false;
  }
}

export function swiftShaderEnv(): NodeJS.ProcessEnv {
  if (!existsSync(ICD)) throw new Error(`SwiftShader is missing (${ICD}): install Debian's chromium package (npm run setup:e2e does)`);
  const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: ICD, XDG_RUNTIME_DIR: mkdtempSync(path.join(os.tmpdir(), 'spantune-xdg-')) };
  if (!systemHasVulkanLoader()) {
    if (!existsSync(path.join(CHROMIUM, 'libvulkan.so.1'))) throw new Error('no Vulkan loader (libvulkan.so.1): install Debian\'s libvulkan1 or chromium');
    env.LD_LIBRARY_PATH = [CHROMIUM, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return env;
}

/** Runs `script` (TypeScript, with `args`) under SwiftShader and returns what it printed as JSON on its last line. */
export function runOnSwiftShader<T>(script: string, args: string[], timeoutMs: number): Promise<T> {
  const env = swiftShaderEnv();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${path.basename(script)} failed: ${error.message}\n${stderr.slice(-4000)}`));
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${path.basename(script)} printed no JSON result:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The public Hub; `HF_ENDPOINT` points elsewhere (a mirror, a private Hub, a test server). */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

type Env = Record<string, string | undefined>;

/** huggingface_hub's reading of boolean environment variables: 1/ON/YES/TRUE, any case. */
export function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(value.trim().toUpperCase());
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (as Python does). */
export function hfHome(env: Env = process.env): string {
  if (env.HF_HOME) return resolve(expandHome(env.HF_HOME));
  return resolve(expandHome(env.XDG_CACHE_HOME || '~/.cache'), 'huggingface');
}

/** The model cache shared with Python tools: `$HF_HUB_CACHE`, else `$HF_HOME/hub`. */
export function hubCacheDir(env: Env = process.env): string {
  const explicit = env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE;
  return explicit ? resolve(expandHome(explicit)) : join(hfHome(env), 'hub');
}

export function hubEndpoint(env: Env = process.env): string {
  return (env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
}

export function isOffline(env: Env = process.env): boolean {
  return isTruthyEnv(env.HF_HUB_OFFLINE);
}

/**
 * The token the CLI uses when none is given: `HF_TOKEN`, else the file `huggingface-cli login` writes
 * (`$HF_TOKEN_PATH` or `$HF_HOME/token`). The extension passes its SecretStorage token instead.
 */
export function tokenFromEnvironment(env: Env = process.env): string | undefined {
  const fromVariable = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim();
  if (fromVariable) return fromVariable;
  const tokenFile = env.HF_TOKEN_PATH ? resolve(expandHome(env.HF_TOKEN_PATH)) : join(hfHome(env), 'token');
  try {
    const fromFile = readFileSync(tokenFile, 'utf8').trim();
    return fromFile || undefined;
  } catch {
    return undefined;
  }
}

/** The proxy the CLI uses: `HTTPS_PROXY`/`https_proxy`, else `HTTP_PROXY`/`http_proxy`. */
export function proxyFromEnvironment(env: Env = process.env): { proxy?: string; noProxy?: string } {
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy || undefined;
  const noProxy = env.NO_PROXY || env.no_proxy || undefined;
  return { proxy, noProxy };
}

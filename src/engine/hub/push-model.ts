import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { HubApiError, commitIter, createRepo, whoAmI, type CommitOperation } from '@huggingface/hub';

import { UserError } from '../errors';
import { validateRepoId } from './cache-layout';
import { HubError, redactToken } from './errors';
import { HubClient } from './http-client';
import { hubEndpoint } from './settings';

export interface PushModelOptions {
  /** `organisation/name`, or just `name` to push under the token's own account. */
  repoId: string;
  /** A model folder in Hugging Face layout (config.json, weights, tokenizer files, README.md). */
  folder: string;
  /** A token with write access. Never logged. */
  token: string;
  /** Default: `HF_ENDPOINT` or https://huggingface.co. */
  endpoint?: string;
  /** Visibility when the repository is created; an existing repository keeps its own. */
  private?: boolean;
  commitMessage?: string;
  /** Default `main`. */
  branch?: string;
  proxy?: string;
  noProxy?: string;
  onProgress?: (progress: PushProgress) => void;
  signal?: AbortSignal;
  /** Let the library use Hugging Face's Xet storage protocol when the Hub offers it (default true). */
  useXet?: boolean;
}

export interface PushProgress {
  phase: 'creating-repo' | 'preuploading' | 'hashing' | 'uploading' | 'committing' | 'done';
  file?: string;
  /** 0..1 for the file, when the phase is per file. */
  fraction?: number;
}

export interface PushResult {
  repoId: string;
  repoUrl: string;
  /** True when this push created the repository. */
  created: boolean;
  commitOid: string;
  commitUrl: string;
  /** Repository paths uploaded. */
  files: string[];
  warnings: string[];
}

/**
 * Uploads a model folder to the Hub in one commit, creating the repository first when needed. The
 * protocol (preupload, LFS batch and upload of large files, NDJSON commit) is @huggingface/hub's.
 */
export async function pushModel(options: PushModelOptions): Promise<PushResult> {
  const token = options.token?.trim();
  if (!token) throw new UserError('pushing to the Hub needs an access token with write access (--token or HF_TOKEN)');
  if (!token.startsWith('hf_')) throw new UserError("the Hub token does not look like one: Hugging Face access tokens start with 'hf_'");
  const files = await listModelFolder(options.folder);
  const warnings = files.includes('README.md') ? [] : [`${options.folder} has no README.md: the model page on the Hub will have no model card`];
  const client = new HubClient({ endpoint: options.endpoint ?? hubEndpoint(), token, proxy: options.proxy, noProxy: options.noProxy });
  const common = { accessToken: token, hubUrl: client.endpoint, fetch: client.fetch as unknown as typeof fetch };
  const progress = options.onProgress ?? (() => undefined);
  let repoId = options.repoId;
  try {
    if (!repoId.includes('/')) {
      validateRepoId(repoId);
      const me = await whoAmI(common);
      repoId = `${me.name}/${repoId}`;
    }
    validateRepoId(repoId);

    progress({ phase: 'creating-repo' });
    let created = true;
    let repoUrl = `${client.endpoint}/${repoId}`;
    try {
      const made = await createRepo({ ...common, repo: { type: 'model', name: repoId }, private: options.private });
      repoUrl = made.repoUrl ?? repoUrl;
    } catch (error) {
      if (!(error instanceof HubApiError && error.statusCode === 409)) throw error;
      created = false; // it exists already: commit on top of it
    }
    options.signal?.throwIfAborted();

    const operations: CommitOperation[] = [];
    for (const path of files) {
      operations.push({ operation: 'addOrUpdate', path, content: await openAsBlob(join(options.folder, ...path.split('/'))) });
    }
    const iterator = commitIter({
      ...common,
      repo: { type: 'model', name: repoId },
      operations,
      title: options.commitMessage || 'Upload model fine-tuned with SpanTune',
      branch: options.branch,
      abortSignal: options.signal,
      useXet: options.useXet,
    });
    let step = await iterator.next();
    while (!step.done) {
      const event = step.value;
      if (event.event === 'phase') progress({ phase: event.phase === 'uploadingLargeFiles' ? 'uploading' : event.phase });
      else if (event.state !== 'error') progress({ phase: event.state, file: event.path, fraction: event.progress });
      step = await iterator.next();
    }
    const output = step.value;
    if (!output) throw new HubError(`the Hub returned no commit for the push to '${repoId}'`, 'bad-request');
    progress({ phase: 'done' });
    return { repoId, repoUrl, created, commitOid: output.commit.oid, commitUrl: output.commit.url, files, warnings };
  } catch (error) {
    throw translatePushError(error, repoId, client.endpoint, token);
  } finally {
    await client.close();
  }
}

/** Files to upload: everything under the folder except hidden files (other than .gitattributes). */
export async function listModelFolder(folder: string): Promise<string[]> {
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new UserError(`${folder} is not a folder`);
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const path = relative(folder, full).split(sep).join('/');
    const hidden = path.split('/').some((part) => part.startsWith('.') && part !== '.gitattributes');
    if (hidden || path.endsWith('.incomplete')) continue;
    const target = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
    if (target?.isFile()) files.push(path);
  }
  files.sort();
  if (!files.includes('config.json')) {
    throw new UserError(`${folder} has no config.json: it is not a model folder in Hugging Face layout`);
  }
  return files;
}

function translatePushError(error: unknown, repoId: string, endpoint: string, token: string): unknown {
  if (error instanceof UserError || (error as Error)?.name === 'AbortError') return error;
  if (error instanceof HubApiError) {
    const said = error.message ? ` (the Hub said: ${redactToken(error.message.split('. URL:')[0]!, token)})` : '';
    const status = error.statusCode;
    if (status === 401) return new HubError(`the Hub refused the token for pushing to '${repoId}' (HTTP 401): use a token with write access${said}`, 'auth', status);
    if (status === 403) {
      return new HubError(`the token may not write to '${repoId}' (HTTP 403): it needs write access to that account or organisation${said}`, 'auth', status);
    }
    if (status === 404) return new HubError(`'${repoId}' not found on ${endpoint} while pushing (HTTP 404)${said}`, 'not-found', status);
    if (status === 429) return new HubError(`the Hub is rate-limiting uploads (HTTP 429); try again later${said}`, 'rate-limited', status);
    if (status >= 500) return new HubError(`the Hub failed while pushing to '${repoId}' (HTTP ${status}); try again later${said}`, 'server', status);
    return new HubError(`pushing to '${repoId}' failed with HTTP ${status}${said}`, status === 409 ? 'conflict' : 'bad-request', status);
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? 'no connection';
    return new HubError(`cannot reach ${endpoint} (${cause}); check the network or proxy settings`, 'network', undefined, { cause: error });
  }
  return error;
}

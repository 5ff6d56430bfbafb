import { readFile } from 'node:fs/promises';

import { UserError } from '../errors';
import { downloadBlob } from './blob-download';
import {
  COMMIT_SHA,
  blobPath,
  fileSize,
  linkSnapshotFile,
  listSnapshotFiles,
  normalizeEtag,
  readRef,
  repoStorageDir,
  snapshotDir,
  snapshotFilePath,
  snapshotFileReady,
  validateRepoFilePath,
  validateRepoId,
  writeRef,
} from './cache-layout';
import { HubError } from './errors';
import { selectModelFiles, shardsFromIndex, type FileSelection, type WeightsFormat } from './file-selection';
import { HubClient, type RetryPolicy } from './http-client';
import { TransferMeter, type DownloadProgress } from './progress';
import { hubCacheDir, hubEndpoint, isOffline } from './settings';

export interface DownloadModelOptions {
  /** Hub id, e.g. `distilbert/distilbert-base-cased-distilled-squad`. */
  repoId: string;
  /** Branch, tag or commit sha; default `main`. */
  revision?: string;
  /** Default: `$HF_HUB_CACHE`, `$HF_HOME/hub` or `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Hub access token for gated or private models. Never logged. */
  token?: string;
  /** Use the cache only; default: `HF_HUB_OFFLINE`. */
  offline?: boolean;
  /** Default: `HF_ENDPOINT` or https://huggingface.co. */
  endpoint?: string;
  /** Proxy URL; requests go direct when absent. */
  proxy?: string;
  /** Hosts that bypass the proxy, comma-separated. */
  noProxy?: string;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** When false, a repository with only pytorch_model.bin fails before anything is fetched. Default true. */
  acceptPytorchWeights?: boolean;
  /** Default true; false copies blobs into the snapshot (what happens anyway where symlinks fail). */
  useSymlinks?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Resumes of one file after cut connections; default 5. */
  maxResumes?: number;
}

export interface DownloadedFile {
  /** Path inside the repository, e.g. `config.json`. */
  name: string;
  /** The file in the snapshot folder. */
  path: string;
  size: number;
  /** True when nothing was transferred for it. */
  fromCache: boolean;
}

export interface DownloadedModel {
  repoId: string;
  revision: string;
  commit: string;
  /** The snapshot folder, in Hugging Face layout: what a model loader opens. */
  modelDir: string;
  files: DownloadedFile[];
  weightsFormat: WeightsFormat;
  /** Things the user should know (PyTorch-only weights, offline fallback). */
  warnings: string[];
  /** True when nothing at all was transferred. */
  fromCache: boolean;
}

interface FileMetadata {
  etag: string;
  size: number;
  sha256?: string;
}

interface PlannedFile {
  name: string;
  snapshotPath: string;
  /** The file's `/resolve/{commit}/` address. */
  url: string;
  /** Absent when the snapshot already holds the file. */
  metadata?: FileMetadata;
  fromCache: boolean;
  /** Set once the snapshot holds the file. */
  linked: boolean;
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * Downloads what a QA model needs (config, tokenizer files, weights) from the Hugging Face Hub into
 * the cache shared with Python tools, and returns the snapshot folder. Files already in the cache are
 * not fetched again; a partial file is resumed; each file is checked against the size and sha256 the
 * Hub reports. Offline, it answers from the cache alone.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadedModel> {
  validateRepoId(options.repoId);
  const revision = options.revision || 'main';
  const cacheDir = options.cacheDir ?? hubCacheDir();
  const storage = repoStorageDir(cacheDir, options.repoId);
  const offline = options.offline ?? isOffline();
  if (offline) return loadFromCache(options.repoId, revision, cacheDir, options.acceptPytorchWeights, []);

  const client = new HubClient({
    endpoint: options.endpoint ?? hubEndpoint(),
    token: options.token,
    proxy: options.proxy,
    noProxy: options.noProxy,
    retry: options.retry,
  });
  try {
    return await new ModelDownload(client, options, revision, storage).run();
  } catch (error) {
    if (error instanceof HubError && error.kind === 'network' && !options.signal?.aborted) {
      // As huggingface_hub does: no connection, but a complete snapshot in the cache serves.
      const cached = await loadFromCache(options.repoId, revision, cacheDir, options.acceptPytorchWeights, [
        `could not reach the Hub (${error.message}); using the cached snapshot`,
      ]).catch(() => undefined);
      if (cached) return cached;
    }
    throw error;
  } finally {
    await client.close();
  }
}

class ModelDownload {
  private readonly meter: TransferMeter;
  private lastEmit = 0;

  constructor(
    private readonly client: HubClient,
    private readonly options: DownloadModelOptions,
    private readonly revision: string,
    private readonly storage: string,
  ) {
    this.meter = new TransferMeter(0);
  }

  async run(): Promise<DownloadedModel> {
    const { repoId } = this.options;
    this.emit('resolving', undefined, 0, 0, true);
    const { commit, files: available } = await this.revisionInfo();
    const selection = selectModelFiles(repoId, available, this.options.acceptPytorchWeights);
    available.forEach(validateRepoFilePath);

    const plan = await this.planFiles(selection.files, commit);
    if (selection.shardIndex) {
      const index = plan.find((file) => file.name === selection.shardIndex)!;
      await this.fetchFile(index);
      const shards = shardsFromIndex(repoId, index.name, await readFile(index.snapshotPath, 'utf8'), available);
      plan.push(...(await this.planFiles(shards, commit)));
    }
    for (const file of plan) {
      this.options.signal?.throwIfAborted();
      await this.fetchFile(file);
    }
    await writeRef(this.storage, this.revision, commit);
    this.emit('done', undefined, 0, 0, true);
    return this.result(commit, selection, plan);
  }

  /** The commit a revision points to, and the repository's files (`/api/models/{id}/revision/{rev}`). */
  private async revisionInfo(): Promise<{ commit: string; files: string[] }> {
    const { repoId } = this.options;
    const url = `${this.client.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(this.revision)}`;
    const response = await this.client.request(url, {
      followRedirects: true,
      signal: this.options.signal,
      context: { repoId, revision: this.revision },
    });
    const info = (await response.json().catch(() => undefined)) as { sha?: unknown; siblings?: { rfilename?: unknown }[] } | undefined;
    const commit = info?.sha;
    if (typeof commit !== 'string' || !COMMIT_SHA.test(commit) || !Array.isArray(info?.siblings)) {
      throw new HubError(`unexpected answer from ${url}: no commit sha or file list (is ${this.client.endpoint} a Hugging Face Hub?)`, 'bad-request');
    }
    const files = info.siblings.map((sibling) => sibling.rfilename).filter((name): name is string => typeof name === 'string');
    return { commit, files };
  }

  /** For each file: already in the snapshot, in the blob store (only a link is missing), or to fetch. */
  private async planFiles(names: string[], commit: string): Promise<PlannedFile[]> {
    const planned: PlannedFile[] = [];
    for (const name of names) {
      const snapshotPath = snapshotFilePath(this.storage, commit, name);
      const url = this.resolveUrl(commit, name);
      // A snapshot of a commit never changes: if the file is there, it is the right one.
      if (await snapshotFileReady(snapshotPath)) {
        planned.push({ name, snapshotPath, url, fromCache: true, linked: true });
        continue;
      }
      const metadata = await this.fileMetadata(name, url);
      const blob = blobPath(this.storage, metadata.etag);
      const present = (await fileSize(blob)) === metadata.size;
      if (!present) this.meter.growTotal(metadata.size);
      planned.push({ name, snapshotPath, url, metadata, fromCache: present, linked: false });
    }
    return planned;
  }

  private resolveUrl(commit: string, name: string): string {
    return `${this.client.endpoint}/${this.options.repoId}/resolve/${commit}/${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** HEAD on `/{id}/resolve/{commit}/{file}`: the blob's etag (LFS sha256 or git sha1) and size. */
  private async fileMetadata(name: string, resolveUrl: string): Promise<FileMetadata> {
    const { repoId } = this.options;
    let url = resolveUrl;
    for (let hop = 0; hop < 5; hop++) {
      const response = await this.client.request(url, {
        method: 'HEAD',
        headers: { 'accept-encoding': 'identity' },
        followRedirects: false,
        signal: this.options.signal,
        context: { repoId, revision: this.revision, file: name },
        acceptStatuses: [301, 302, 303, 307, 308],
      });
      const headers = response.headers;
      const etagHeader = headers.get('x-linked-etag') ?? headers.get('etag');
      const location = headers.get('location');
      if (response.status >= 300 && location && !headers.get('x-linked-etag')) {
        url = new URL(location, url).toString(); // a renamed repository: ask again at its new address
        continue;
      }
      const size = Number(headers.get('x-linked-size') ?? headers.get('content-length'));
      if (!etagHeader || !Number.isSafeInteger(size) || size < 0) {
        throw new HubError(
          `the Hub gave no ETag or size for '${name}' of '${repoId}' (a proxy may strip these headers); cannot check or cache the file`,
          'bad-request',
        );
      }
      const etag = normalizeEtag(etagHeader);
      if (!/^[\w.-]+$/.test(etag)) throw new HubError(`unusable ETag '${etag}' for '${name}' of '${repoId}'`, 'bad-request');
      return { etag, size, sha256: /^[0-9a-f]{64}$/.test(etag) ? etag : undefined };
    }
    throw new HubError(`too many redirects while resolving '${name}' of '${repoId}'`, 'network');
  }

  private async fetchFile(file: PlannedFile): Promise<void> {
    if (file.linked || !file.metadata) return;
    const blob = blobPath(this.storage, file.metadata.etag);
    if (!file.fromCache) {
      const { size } = file.metadata;
      let fileBytes = 0;
      this.emit('downloading', file.name, 0, size, true);
      await downloadBlob(this.client, {
        url: file.url,
        blob,
        expectedSize: size,
        expectedSha256: file.metadata.sha256,
        context: { repoId: this.options.repoId, revision: this.revision, file: file.name },
        signal: this.options.signal,
        maxResumes: this.options.maxResumes,
        onResumed: (bytes) => {
          fileBytes += bytes;
          this.meter.addPresent(bytes);
        },
        onBytes: (bytes) => {
          fileBytes += bytes;
          this.meter.addTransferred(bytes);
          this.emit('downloading', file.name, fileBytes, size, false);
        },
        onDiscard: (bytes) => {
          fileBytes -= bytes;
          this.meter.discard(bytes);
        },
      });
      this.emit('verifying', file.name, size, size, true);
    }
    await linkSnapshotFile(blob, file.snapshotPath, this.options.useSymlinks ?? true);
    file.linked = true;
  }

  private emit(phase: DownloadProgress['phase'], file: string | undefined, fileBytes: number, fileTotal: number, force: boolean): void {
    if (!this.options.onProgress) return;
    const now = performance.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS && fileBytes < fileTotal) return;
    this.lastEmit = now;
    this.options.onProgress({
      phase,
      repoId: this.options.repoId,
      file,
      fileBytes,
      fileTotal,
      bytes: this.meter.done,
      totalBytes: this.meter.total,
      percent: this.meter.percent,
      bytesPerSecond: this.meter.bytesPerSecond,
      etaSeconds: this.meter.etaSeconds,
    });
  }

  private async result(commit: string, selection: FileSelection, plan: PlannedFile[]): Promise<DownloadedModel> {
    const files: DownloadedFile[] = [];
    for (const file of plan) {
      files.push({ name: file.name, path: file.snapshotPath, size: (await fileSize(file.snapshotPath)) ?? 0, fromCache: file.fromCache });
    }
    return {
      repoId: this.options.repoId,
      revision: this.revision,
      commit,
      modelDir: snapshotDir(this.storage, commit),
      files,
      weightsFormat: selection.weightsFormat,
      warnings: selection.warnings,
      fromCache: files.every((file) => file.fromCache),
    };
  }
}

/** Offline: the snapshot a revision points to in the cache, if it holds a complete model. */
async function loadFromCache(
  repoId: string,
  revision: string,
  cacheDir: string,
  acceptPytorchWeights: boolean | undefined,
  warnings: string[],
): Promise<DownloadedModel> {
  const storage = repoStorageDir(cacheDir, repoId);
  const commit = COMMIT_SHA.test(revision) ? revision : await readRef(storage, revision);
  const missing = () =>
    new HubError(
      `offline mode: '${repoId}' at revision '${revision}' is not in the cache (${cacheDir}); ` +
        `download it once with network access (spantune download ${repoId}), or unset HF_HUB_OFFLINE`,
      'offline',
    );
  if (!commit) throw missing();
  const dir = snapshotDir(storage, commit);
  const available = await listSnapshotFiles(dir);
  if (available.length === 0) throw missing();
  let selection: FileSelection;
  let names: string[];
  try {
    selection = selectModelFiles(repoId, available, acceptPytorchWeights);
    names = selection.files;
    if (selection.shardIndex) {
      const indexText = await readFile(snapshotFilePath(storage, commit, selection.shardIndex), 'utf8');
      names = [...names, ...shardsFromIndex(repoId, selection.shardIndex, indexText, available)];
    }
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new HubError(`offline mode: the cached snapshot of '${repoId}' (${dir}) is incomplete: ${error.message}`, 'offline', undefined, {
      cause: error,
    });
  }
  const files: DownloadedFile[] = [];
  for (const name of names) {
    const path = snapshotFilePath(storage, commit, name);
    files.push({ name, path, size: (await fileSize(path)) ?? 0, fromCache: true });
  }
  return {
    repoId,
    revision,
    commit,
    modelDir: dir,
    files,
    weightsFormat: selection.weightsFormat,
    warnings: [...warnings, ...selection.warnings],
    fromCache: true,
  };
}

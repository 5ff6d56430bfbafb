import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { syncAndRename } from '../fs/atomic';
import { HubError } from './errors';
import { fileSize } from './cache-layout';
import type { HubClient, RequestContext } from './http-client';

export interface BlobDownload {
  url: string;
  /** Final blob path; the bytes go to `<blob>.incomplete` first, as huggingface_hub does. */
  blob: string;
  expectedSize: number;
  /** The LFS sha256 the Hub reported, checked after the download when present. */
  expectedSha256?: string;
  context: RequestContext;
  /** Called with bytes already on disk from an earlier, interrupted download. */
  onResumed?: (bytes: number) => void;
  onBytes?: (bytes: number) => void;
  /** Takes back bytes counted by onResumed that the server made us drop (it would not resume). */
  onDiscard?: (bytes: number) => void;
  signal?: AbortSignal;
  /** Resumes after a cut connection, in all. */
  maxResumes?: number;
}

/**
 * Downloads one file into the blob store: resumes an existing `.incomplete` file with a Range request,
 * resumes again when the connection is cut, checks size (and sha256 when known), then renames the file
 * into place. A file that fails the check is deleted so the next run starts clean.
 */
export async function downloadBlob(client: HubClient, job: BlobDownload): Promise<void> {
  const incomplete = `${job.blob}.incomplete`;
  await mkdir(dirname(job.blob), { recursive: true });
  const maxResumes = job.maxResumes ?? 5;
  let reportedResume = false;
  let lastError: unknown;

  for (let attempt = 0; attempt <= maxResumes; attempt++) {
    let offset = (await fileSize(incomplete)) ?? 0;
    if (offset > job.expectedSize) {
      await rm(incomplete, { force: true });
      offset = 0;
    }
    if (!reportedResume) {
      if (offset > 0) job.onResumed?.(offset);
      reportedResume = true;
    }
    if (offset === job.expectedSize) break;

    const response = await client.request(job.url, {
      method: 'GET',
      // identity: the byte count must be the file's, not a compressed stream's.
      headers: { 'accept-encoding': 'identity', ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
      followRedirects: true,
      signal: job.signal,
      context: job.context,
      acceptStatuses: [416],
    });
    if (response.status === 416) {
      // The partial file does not fit the server's copy: drop it and ask again from zero.
      await response.body?.cancel().catch(() => undefined);
      job.onDiscard?.(offset);
      await truncate(incomplete, 0).catch(() => undefined);
      continue;
    }
    if (offset > 0 && response.status !== 206) {
      // The server ignored the Range header and sends the whole file: keep it, drop the partial one.
      job.onDiscard?.(offset);
      offset = 0;
    }
    if (!response.body) throw new HubError(`empty answer for ${job.context.file} from ${client.redact(job.url)}`, 'network');

    try {
      await appendBody(response.body as WebReadableStream<Uint8Array>, incomplete, offset > 0, job.onBytes, job.signal);
      lastError = undefined;
      break; // the server sent the whole body
    } catch (error) {
      if (job.signal?.aborted) throw job.signal.reason ?? error;
      lastError = error; // connection cut: the loop resumes from what reached the disk
    }
  }

  const size = (await fileSize(incomplete)) ?? 0;
  if (size !== job.expectedSize) {
    if (lastError !== undefined || size < job.expectedSize) {
      throw new HubError(
        `download of '${job.context.file}' from '${job.context.repoId}' kept breaking off (${size} of ${job.expectedSize} bytes after ${maxResumes + 1} tries); ` +
          'run the download again to resume from there',
        'network',
        undefined,
        { cause: lastError },
      );
    }
    await rm(incomplete, { force: true });
    throw new HubError(
      `'${job.context.file}' from '${job.context.repoId}' has ${size} bytes but the Hub reported ${job.expectedSize}; the file was deleted, run the download again`,
      'integrity',
    );
  }
  if (job.expectedSha256) {
    const actual = await sha256OfFile(incomplete);
    if (actual !== job.expectedSha256) {
      await rm(incomplete, { force: true });
      throw new HubError(
        `'${job.context.file}' from '${job.context.repoId}' is corrupt: its sha256 is ${actual} but the Hub reported ${job.expectedSha256}; ` +
          'the file was deleted, run the download again',
        'integrity',
      );
    }
  }
  await syncAndRename(incomplete, job.blob);
}

/**
 * Writes a response body to the file chunk by chunk, reporting each chunk once it is on disk, so that
 * after a cut connection the file holds every byte that arrived and the count matches it.
 */
async function appendBody(
  body: WebReadableStream<Uint8Array>,
  path: string,
  append: boolean,
  onBytes: ((bytes: number) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<void> {
  const file = await open(path, append ? 'a' : 'w');
  try {
    for await (const chunk of body) {
      signal?.throwIfAborted();
      await file.write(chunk);
      onBytes?.(chunk.length);
    }
  } finally {
    await file.close();
  }
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

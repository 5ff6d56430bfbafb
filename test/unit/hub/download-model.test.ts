import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { downloadModel, type DownloadModelOptions } from '../../../src/engine/hub/download-model';
import { HubError } from '../../../src/engine/hub/errors';
import type { DownloadProgress } from '../../../src/engine/hub/progress';
import { UserError } from '../../../src/engine/errors';
import { readFixtureFiles, startConnectProxy, startFakeHub, type FakeHub } from '../../support/fake-hub-server';

const FIXTURE_DIR = resolve(__dirname, '../../..', '../shared/fixtures/models/tiny-bert-qa');
const fixture = readFixtureFiles(FIXTURE_DIR);
const REPO = 'spantune-test/tiny-bert-qa';
const GATED = 'spantune-test/gated-bert';
const PRIVATE = 'spantune-test/private-bert';
const TOKEN = 'hf_testReadToken123';
const SAFETENSORS_SIZE = fixture['model.safetensors']!.length;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let hub: FakeHub;
let cacheDir: string;
let sleeps: number[];

function options(extra: Partial<DownloadModelOptions> = {}): DownloadModelOptions {
  return {
    repoId: REPO,
    cacheDir,
    endpoint: hub.url,
    offline: false,
    retry: { sleep: async (ms) => void sleeps.push(ms) },
    ...extra,
  };
}

async function expectHubError(promise: Promise<unknown>, kind: HubError['kind'], pattern: RegExp): Promise<HubError> {
  let caught: unknown;
  await promise.catch((error) => (caught = error));
  assert.ok(caught instanceof HubError, `expected a HubError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

before(async () => {
  hub = await startFakeHub({
    repos: [
      { id: REPO, files: fixture },
      { id: GATED, files: fixture, gated: true },
      { id: PRIVATE, files: fixture, private: true },
    ],
    tokens: { [TOKEN]: 'read' },
  });
});
after(async () => hub.close());
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'spantune-hub-'));
  sleeps = [];
  hub.log.length = 0;
  hub.clearFaults();
});
afterEach(async () => rm(cacheDir, { recursive: true, force: true }));

describe('downloadModel against the local Hub', () => {
  it('fetches the model into the Hugging Face cache layout, identical to the source files', async () => {
    const events: DownloadProgress[] = [];
    const result = await downloadModel(options({ onProgress: (event) => events.push(event) }));
    const commit = hub.branchSha(REPO);
    const storage = join(cacheDir, 'models--spantune-test--tiny-bert-qa');

    assert.equal(result.commit, commit);
    assert.equal(result.modelDir, join(storage, 'snapshots', commit));
    assert.equal(result.weightsFormat, 'safetensors');
    assert.equal(result.fromCache, false);
    assert.deepEqual(result.files.map((f) => f.name).sort(), Object.keys(fixture).sort());
    for (const [name, content] of Object.entries(fixture)) {
      assert.ok((await readFile(join(result.modelDir, name))).equals(content), `${name} differs from the fixture`);
    }
    assert.equal((await readFile(join(storage, 'refs', 'main'), 'utf8')), commit);

    // Snapshot entries are relative symlinks into blobs/, named by LFS sha256 or git blob sha1.
    const weightsLink = await readlink(join(result.modelDir, 'model.safetensors'));
    assert.equal(weightsLink, join('..', '..', 'blobs', sha256(fixture['model.safetensors']!)));
    const configLink = await readlink(join(result.modelDir, 'config.json'));
    const gitSha1 = createHash('sha1').update(`blob ${fixture['config.json']!.length}\0`).update(fixture['config.json']!).digest('hex');
    assert.equal(configLink, join('..', '..', 'blobs', gitSha1));
    const blobs = await readdir(join(storage, 'blobs'));
    assert.equal(blobs.length, Object.keys(fixture).length);
    assert.ok(!blobs.some((name) => name.endsWith('.incomplete')));

    // The large file went through a redirect to the CDN origin.
    assert.ok(hub.log.some((r) => r.server === 'cdn' && r.path === `/blobs/${sha256(fixture['model.safetensors']!)}`));
    const totalSize = Object.values(fixture).reduce((sum, content) => sum + content.length, 0);
    assert.equal(hub.bytesServed(), totalSize);

    const last = events[events.length - 1]!;
    assert.equal(last.phase, 'done');
    assert.equal(last.bytes, totalSize);
    assert.equal(last.totalBytes, totalSize);
    assert.equal(last.percent, 100);
    assert.ok(events.some((e) => e.phase === 'downloading' && e.file === 'model.safetensors' && e.fileBytes > 0 && e.fileBytes < e.fileTotal) ||
      events.some((e) => e.phase === 'verifying' && e.file === 'model.safetensors'));
  });

  it('answers a second time from the cache without fetching a byte', async () => {
    const first = await downloadModel(options());
    hub.log.length = 0;
    const second = await downloadModel(options());
    assert.equal(second.modelDir, first.modelDir);
    assert.equal(second.fromCache, true);
    assert.equal(hub.bytesServed(), 0);
    assert.deepEqual(hub.log.map((r) => `${r.method} ${r.path}`), [`GET /api/models/${REPO}/revision/main`]);
  });

  it('re-links from existing blobs when a snapshot entry is missing', async () => {
    const first = await downloadModel(options());
    await rm(join(first.modelDir, 'vocab.txt'));
    hub.log.length = 0;
    const second = await downloadModel(options());
    assert.ok((await readFile(join(second.modelDir, 'vocab.txt'))).equals(fixture['vocab.txt']!));
    assert.equal(hub.bytesServed(), 0);
    assert.ok(hub.log.some((r) => r.method === 'HEAD' && r.path.endsWith('/vocab.txt')));
  });

  it('copies blobs into the snapshot when symlinks are off', async () => {
    const result = await downloadModel(options({ useSymlinks: false }));
    const stats = await lstat(join(result.modelDir, 'model.safetensors'));
    assert.ok(stats.isFile() && !stats.isSymbolicLink());
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
  });

  it('works offline from the cache, and says clearly when the cache lacks the model', async () => {
    const online = await downloadModel(options());
    const offline = await downloadModel(options({ offline: true, endpoint: 'http://127.0.0.1:9' }));
    assert.equal(offline.modelDir, online.modelDir);
    assert.equal(offline.fromCache, true);
    assert.deepEqual(offline.files.map((f) => f.name).sort(), online.files.map((f) => f.name).sort());

    await expectHubError(downloadModel(options({ offline: true, revision: 'v2' })), 'offline', /offline mode: .*revision 'v2' is not in the cache/);
    await rm(join(online.modelDir, 'model.safetensors'));
    await expectHubError(downloadModel(options({ offline: true })), 'offline', /incomplete.*weights/);
  });

  it('falls back to the cached snapshot when the Hub cannot be reached', async () => {
    await downloadModel(options());
    const result = await downloadModel(options({ endpoint: 'http://127.0.0.1:9', retry: { maxAttempts: 2, sleep: async () => undefined } }));
    assert.equal(result.fromCache, true);
    assert.match(result.warnings.join('\n'), /could not reach the Hub.*cached snapshot/);
  });

  it('reports an unreachable Hub with an empty cache as a network error', async () => {
    await expectHubError(
      downloadModel(options({ endpoint: 'http://127.0.0.1:9', retry: { maxAttempts: 2, sleep: async () => undefined } })),
      'network',
      /cannot reach http:\/\/127\.0\.0\.1:9 .*after 2 attempts.*HF_HUB_OFFLINE/,
    );
  });
});

describe('access control and errors', () => {
  it('asks for a token for a gated model, and keeps the token away from the CDN', async () => {
    await expectHubError(downloadModel(options({ repoId: GATED })), 'auth', /gated or private model.*accept its licence.*token/);
    hub.log.length = 0;
    const result = await downloadModel(options({ repoId: GATED, token: TOKEN }));
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
    assert.ok(hub.log.filter((r) => r.server === 'hub').every((r) => r.authorized));
    const cdn = hub.log.filter((r) => r.server === 'cdn');
    assert.ok(cdn.length > 0 && cdn.every((r) => !r.authorized), 'the token must not be sent to the CDN');
  });

  it('says the token was refused, without ever showing it', async () => {
    const wrong = 'hf_wrongTokenSecret999';
    const error = await expectHubError(downloadModel(options({ repoId: GATED, token: wrong })), 'auth', /token was refused/);
    assert.ok(!error.message.includes(wrong));
    hub.addFault({ match: '/revision/', action: { type: 'status', status: 403, errorMessage: `token ${wrong} lacks access` } });
    const echoed = await expectHubError(downloadModel(options({ token: wrong })), 'auth', /the Hub said: token hf_\*\*\* lacks access/);
    assert.ok(!echoed.message.includes(wrong));
  });

  it('reports a private repository without a token as not found or private', async () => {
    await expectHubError(downloadModel(options({ repoId: PRIVATE })), 'auth', /not found .*or it is private/);
  });

  it('distinguishes a missing repository, revision and file', async () => {
    await expectHubError(downloadModel(options({ repoId: 'nobody/nothing' })), 'not-found', /model repository 'nobody\/nothing' not found/);
    await expectHubError(downloadModel(options({ revision: 'v9' })), 'not-found', /revision 'v9' not found/);
    hub.addFault({ match: '/resolve/', method: 'HEAD', action: { type: 'status', status: 404, errorCode: 'EntryNotFound' } });
    await expectHubError(downloadModel(options()), 'not-found', /file 'config\.json' not found/);
  });

  it('rejects an invalid model id before any request', async () => {
    await assert.rejects(downloadModel(options({ repoId: '../etc/passwd' })), (error: unknown) => error instanceof UserError && /not a valid Hugging Face model id/.test(error.message));
    assert.equal(hub.log.length, 0);
  });
});

describe('retries, resume and integrity', () => {
  it('waits as long as Retry-After says after a 429, then succeeds', async () => {
    hub.addFault({ match: '/revision/', action: { type: 'status', status: 429, retryAfter: '3' } });
    const result = await downloadModel(options());
    assert.equal(result.commit, hub.branchSha(REPO));
    assert.deepEqual(sleeps, [3000]);
  });

  it('caps a long Retry-After', async () => {
    hub.addFault({ match: '/revision/', action: { type: 'status', status: 429, retryAfter: '3600' } });
    await downloadModel(options({ retry: { maxRetryAfterMs: 5000, sleep: async (ms) => void sleeps.push(ms) } }));
    assert.deepEqual(sleeps, [5000]);
  });

  it('retries 5xx with growing backoff, then gives up after the bounded attempts', async () => {
    hub.addFault({ match: '/blobs/', times: 2, action: { type: 'status', status: 502 } });
    const result = await downloadModel(options());
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
    assert.deepEqual(sleeps, [1000, 2000]);

    await rm(cacheDir, { recursive: true, force: true });
    hub.log.length = 0;
    hub.addFault({ match: '/revision/', times: 3, action: { type: 'status', status: 503 } });
    await expectHubError(downloadModel(options({ retry: { maxAttempts: 3, sleep: async () => undefined } })), 'server', /HTTP 503 .*3 times/);
    assert.equal(hub.log.filter((r) => r.path.includes('/revision/')).length, 3);
  });

  it('resumes a file after the connection is cut, without fetching its first part again', async () => {
    hub.addFault({ match: '/blobs/', method: 'GET', action: { type: 'cut', afterBytes: 1_000_000 } });
    const result = await downloadModel(options());
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
    const blobRequests = hub.log.filter((r) => r.server === 'cdn' && r.method === 'GET');
    assert.equal(blobRequests.length, 2);
    // The resume starts where the disk copy ends: all the bytes that arrived, less any still queued
    // inside the HTTP client when the socket died (none on an idle machine, some KB under load).
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(blobRequests[1]!.range ?? '')?.[1]);
    assert.ok(resumedAt > 500_000 && resumedAt <= 1_000_000, `resumed at ${resumedAt}`);
    assert.equal(hub.bytesServed('/blobs/'), SAFETENSORS_SIZE + (1_000_000 - resumedAt));
  });

  it('resumes a partial file left by an earlier run (.incomplete) with a Range request', async () => {
    const blobs = join(cacheDir, 'models--spantune-test--tiny-bert-qa', 'blobs');
    const etag = sha256(fixture['model.safetensors']!);
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${etag}.incomplete`), fixture['model.safetensors']!.subarray(0, 3_000_000));
    const events: DownloadProgress[] = [];
    const result = await downloadModel(options({ onProgress: (e) => events.push(e) }));
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
    assert.equal(hub.bytesServed('/blobs/'), SAFETENSORS_SIZE - 3_000_000);
    assert.equal(hub.log.find((r) => r.server === 'cdn')!.range, 'bytes=3000000-');
    assert.equal(events[events.length - 1]!.percent, 100);
  });

  it('starts over when the server ignores the Range header', async () => {
    const blobs = join(cacheDir, 'models--spantune-test--tiny-bert-qa', 'blobs');
    const etag = sha256(fixture['model.safetensors']!);
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, `${etag}.incomplete`), Buffer.alloc(1000, 7)); // garbage prefix
    hub.addFault({ match: '/blobs/', method: 'GET', action: { type: 'ignore-range' } });
    const result = await downloadModel(options());
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
  });

  it('rejects and deletes a file whose sha256 differs from the Hub\'s', async () => {
    hub.addFault({ match: '/blobs/', method: 'GET', action: { type: 'corrupt' } });
    await expectHubError(downloadModel(options()), 'integrity', /'model\.safetensors' .* is corrupt: its sha256 is [0-9a-f]{64} but the Hub reported [0-9a-f]{64}.*deleted/);
    const blobs = await readdir(join(cacheDir, 'models--spantune-test--tiny-bert-qa', 'blobs'));
    assert.ok(!blobs.some((name) => name.startsWith(sha256(fixture['model.safetensors']!))), 'no blob or partial file may stay');
    // The next run downloads a good copy.
    const result = await downloadModel(options());
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
  });

  it('gives up after the bounded resumes when the connection keeps breaking', async () => {
    hub.addFault({ match: '/blobs/', method: 'GET', times: 10, action: { type: 'cut', afterBytes: 100_000 } });
    await expectHubError(downloadModel(options({ maxResumes: 2 })), 'network', /kept breaking off \(300000 of \d+ bytes after 3 tries\).*resume/);
  });

  it('stops when aborted and leaves the partial file for a later resume', async () => {
    const controller = new AbortController();
    hub.addFault({ match: '/blobs/', method: 'GET', action: { type: 'stall', afterBytes: 1_000_000 } });
    const incomplete = join(cacheDir, 'models--spantune-test--tiny-bert-qa', 'blobs', `${sha256(fixture['model.safetensors']!)}.incomplete`);
    const download = downloadModel(options({ signal: controller.signal }));
    for (let i = 0; i < 500 && (await lstat(incomplete).catch(() => undefined))?.size !== 1_000_000; i++) await sleep(10);
    controller.abort();
    await assert.rejects(download, (error: unknown) => (error as Error).name === 'AbortError');
    assert.equal((await lstat(incomplete)).size, 1_000_000);

    hub.log.length = 0;
    const result = await downloadModel(options());
    assert.equal(hub.log.find((r) => r.server === 'cdn' && r.method === 'GET')!.range, 'bytes=1000000-');
    assert.equal(hub.bytesServed('/blobs/'), SAFETENSORS_SIZE - 1_000_000);
    assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
  });
});

describe('weights layouts', () => {
  it('downloads sharded safetensors through the index, and nothing else', async () => {
    const shard1 = Buffer.alloc(1_500_000, 1);
    const shard2 = Buffer.alloc(1_200_000, 2);
    const index = Buffer.from(
      JSON.stringify({ metadata: { total_size: 2_700_000 }, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' } }),
    );
    hub.addRepo({
      id: 'spantune-test/sharded',
      files: {
        'config.json': fixture['config.json']!,
        'vocab.txt': fixture['vocab.txt']!,
        'model.safetensors.index.json': index,
        'model-00001-of-00002.safetensors': shard1,
        'model-00002-of-00002.safetensors': shard2,
        'pytorch_model.bin': Buffer.alloc(10, 3),
        'onnx/model.onnx': Buffer.alloc(10, 4),
      },
    });
    const result = await downloadModel(options({ repoId: 'spantune-test/sharded' }));
    assert.deepEqual(result.files.map((f) => f.name).sort(), ['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json', 'vocab.txt']);
    assert.ok((await readFile(join(result.modelDir, 'model-00002-of-00002.safetensors'))).equals(shard2));
    assert.ok(!hub.log.some((r) => r.path.includes('pytorch_model.bin') || r.path.includes('onnx')));
    const offline = await downloadModel(options({ repoId: 'spantune-test/sharded', offline: true }));
    assert.equal(offline.files.length, 5);
  });

  it('fetches pytorch_model.bin only without safetensors, with a message on how to convert it', async () => {
    hub.addRepo({ id: 'spantune-test/pytorch-only', files: { 'config.json': fixture['config.json']!, 'vocab.txt': fixture['vocab.txt']!, 'pytorch_model.bin': Buffer.alloc(2000, 9) } });
    const result = await downloadModel(options({ repoId: 'spantune-test/pytorch-only' }));
    assert.equal(result.weightsFormat, 'pytorch');
    assert.match(result.warnings.join('\n'), /only PyTorch weights.*cannot read.*safe_serialization=True/);

    hub.log.length = 0;
    await assert.rejects(
      downloadModel(options({ repoId: 'spantune-test/pytorch-only', acceptPytorchWeights: false, cacheDir: join(cacheDir, 'other') })),
      (error: unknown) => error instanceof UserError && /pytorch_model\.bin/.test(error.message),
    );
    assert.equal(hub.bytesServed(), 0);
  });
});

describe('proxy', () => {
  it('sends every request through the given proxy', async () => {
    const proxy = await startConnectProxy();
    try {
      const result = await downloadModel(options({ proxy: proxy.url }));
      assert.ok((await readFile(join(result.modelDir, 'model.safetensors'))).equals(fixture['model.safetensors']!));
      const hubHost = new URL(hub.url).host;
      const cdnHost = new URL(hub.cdnUrl).host;
      assert.ok(proxy.tunnels.includes(hubHost), `no tunnel to the Hub in ${proxy.tunnels.join(', ')}`);
      assert.ok(proxy.tunnels.includes(cdnHost), `no tunnel to the CDN in ${proxy.tunnels.join(', ')}`);
    } finally {
      await proxy.close();
    }
  });
});

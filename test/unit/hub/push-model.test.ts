import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';

import { downloadModel } from '../../../src/engine/hub/download-model';
import { HubError } from '../../../src/engine/hub/errors';
import { pushModel, type PushProgress } from '../../../src/engine/hub/push-model';
import { UserError } from '../../../src/engine/errors';
import { readFixtureFiles, startFakeHub, type FakeHub } from '../../support/fake-hub-server';

const FIXTURE_DIR = resolve(__dirname, '../../..', '../shared/fixtures/models/tiny-bert-qa');
const fixture = readFixtureFiles(FIXTURE_DIR);
const WRITE = 'hf_testWriteToken456';
const READ = 'hf_testReadOnly789';

let hub: FakeHub;
let work: string;
let folder: string;

before(async () => {
  hub = await startFakeHub({ tokens: { [WRITE]: 'write', [READ]: 'read' }, userName: 'alice' });
});
after(async () => hub.close());
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'spantune-push-'));
  folder = join(work, 'model');
  await cp(FIXTURE_DIR, folder, { recursive: true });
  await writeFile(join(folder, 'README.md'), '---\nlibrary_name: transformers\n---\n# test\n');
  hub.log.length = 0;
});
afterEach(async () => rm(work, { recursive: true, force: true }));

describe('pushModel against the local Hub', () => {
  it('creates the repository, uploads small files inline and large ones through LFS, and the result downloads back identical', async () => {
    await mkdir(join(folder, '.git'));
    await writeFile(join(folder, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const events: PushProgress[] = [];
    const result = await pushModel({
      repoId: 'alice/tiny-qa',
      folder,
      token: WRITE,
      endpoint: hub.url,
      private: true,
      commitMessage: 'First fine-tune',
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.created, true);
    assert.equal(result.repoUrl, `${hub.url}/alice/tiny-qa`);
    assert.equal(result.commitOid, hub.branchSha('alice/tiny-qa'));
    assert.deepEqual(result.files, ['README.md', ...Object.keys(fixture)].sort());
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(hub.commitSummaries('alice/tiny-qa'), ['initial commit', 'First fine-tune']);

    const stored = hub.filesAt('alice/tiny-qa');
    for (const [name, content] of Object.entries(fixture)) assert.ok(stored.get(name)?.equals(content), `${name} differs on the Hub`);
    assert.ok(!stored.has('.git/HEAD'), 'hidden folders are not uploaded');
    assert.ok(hub.log.some((r) => r.path === '/alice/tiny-qa.git/info/lfs/objects/batch'));
    assert.equal(hub.log.filter((r) => r.server === 'cdn' && r.method === 'PUT').length, 1, 'only model.safetensors goes through LFS');
    assert.ok(events.some((e) => e.phase === 'committing'));
    assert.equal(events[events.length - 1]!.phase, 'done');

    const cacheDir = join(work, 'cache');
    const back = await downloadModel({ repoId: 'alice/tiny-qa', cacheDir, endpoint: hub.url, token: READ, offline: false });
    assert.equal(back.commit, result.commitOid);
    for (const [name, content] of Object.entries(fixture)) {
      assert.ok((await readFile(join(back.modelDir, name))).equals(content), `${name} differs after the round trip`);
    }
    // Private: without a token the model is hidden.
    await assert.rejects(downloadModel({ repoId: 'alice/tiny-qa', cacheDir: join(work, 'c2'), endpoint: hub.url, offline: false }), (e: unknown) => e instanceof HubError && e.kind === 'auth');
  });

  it('pushes a second commit to an existing repository, under the token\'s account when no organisation is given', async () => {
    await pushModel({ repoId: 'tiny-qa-2', folder, token: WRITE, endpoint: hub.url });
    hub.log.length = 0;
    await writeFile(join(folder, 'README.md'), '# updated card\n');
    const second = await pushModel({ repoId: 'tiny-qa-2', folder, token: WRITE, endpoint: hub.url, commitMessage: 'Update card' });
    assert.equal(second.repoId, 'alice/tiny-qa-2');
    assert.equal(second.created, false);
    assert.equal(hub.filesAt('alice/tiny-qa-2').get('README.md')!.toString(), '# updated card\n');
    assert.equal(hub.log.filter((r) => r.server === 'cdn' && r.method === 'PUT').length, 0, 'an LFS object the Hub has is not uploaded again');
  });

  it('explains a refused token and never shows it', async () => {
    await assert.rejects(pushModel({ repoId: 'alice/x', folder, token: 'hf_notAValidToken', endpoint: hub.url }), (error: unknown) => {
      assert.ok(error instanceof HubError && error.kind === 'auth', String(error));
      assert.match(error.message, /refused the token .*write access/);
      assert.ok(!error.message.includes('hf_notAValidToken'));
      return true;
    });
  });

  it('rejects a missing token, a malformed token and a folder that is not a model', async () => {
    await assert.rejects(pushModel({ repoId: 'alice/x', folder, token: '', endpoint: hub.url }), /needs an access token with write access/);
    await assert.rejects(pushModel({ repoId: 'alice/x', folder, token: 'abc', endpoint: hub.url }), /start with 'hf_'/);
    await rm(join(folder, 'config.json'));
    await assert.rejects(pushModel({ repoId: 'alice/x', folder, token: WRITE, endpoint: hub.url }), (e: unknown) => e instanceof UserError && /no config\.json/.test(e.message));
    await assert.rejects(pushModel({ repoId: 'alice/x', folder: join(work, 'nope'), token: WRITE, endpoint: hub.url }), /is not a folder/);
    assert.equal(hub.log.length, 0);
  });

  it('reports a server failure during the commit', async () => {
    hub.addFault({ match: '/commit/', action: { type: 'status', status: 500 } });
    await assert.rejects(pushModel({ repoId: 'alice/failing', folder, token: WRITE, endpoint: hub.url }), (e: unknown) => e instanceof HubError && e.kind === 'server' && /HTTP 500/.test(e.message));
  });
});

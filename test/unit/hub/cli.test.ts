import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readFixtureFiles, startFakeHub, type FakeHub } from '../../support/fake-hub-server';

const ROOT = resolve(__dirname, '../../..');
const FIXTURE_DIR = resolve(ROOT, '../shared/fixtures/models/tiny-bert-qa');
const fixture = readFixtureFiles(FIXTURE_DIR);
const TOKEN = 'hf_cliWriteToken000';

let hub: FakeHub;
let work: string;

/** Runs the real CLI in a child process (through tsx), with a clean Hub environment. */
function spantune(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(HF_|HUGGING|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy)/.test(key)));
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args],
      { cwd: ROOT, env: { ...cleanEnv, HF_HOME: join(work, 'hf-home'), HF_ENDPOINT: hub.url, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  hub = await startFakeHub({
    repos: [
      { id: 'spantune-test/tiny', files: fixture },
      { id: 'spantune-test/gated', files: fixture, gated: true },
    ],
    tokens: { [TOKEN]: 'write' },
  });
  work = await mkdtemp(join(tmpdir(), 'spantune-cli-hub-'));
});
after(async () => {
  await hub.close();
  await rm(work, { recursive: true, force: true });
});

describe('spantune download / push', () => {
  it('download prints the snapshot folder on stdout and progress on stderr, then works offline', async () => {
    const online = await spantune(['download', 'spantune-test/tiny']);
    assert.equal(online.code, 0, online.stderr);
    const folder = online.stdout.trim();
    assert.equal(folder, join(work, 'hf-home', 'hub', 'models--spantune-test--tiny', 'snapshots', hub.branchSha('spantune-test/tiny')));
    assert.ok((await readFile(join(folder, 'model.safetensors'))).equals(fixture['model.safetensors']!));
    assert.match(online.stderr, /model\.safetensors: .*MB \/ .*MB \(\d+\.\d%\)/);

    const offline = await spantune(['download', 'spantune-test/tiny', '--json'], { HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://127.0.0.1:9' });
    assert.equal(offline.code, 0, offline.stderr);
    const summary = JSON.parse(offline.stdout) as { modelDir: string; fromCache: boolean };
    assert.equal(summary.modelDir, folder);
    assert.equal(summary.fromCache, true);
  });

  it('download of a gated model without a token fails with one clear line and exit code 2', async () => {
    const result = await spantune(['download', 'spantune-test/gated']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: 'spantune-test\/gated' is a gated or private model .*token/m);
    const withToken = await spantune(['download', 'spantune-test/gated'], { HF_TOKEN: TOKEN });
    assert.equal(withToken.code, 0, withToken.stderr);
    assert.ok(!withToken.stderr.includes(TOKEN));
  });

  it('push uploads a folder and prints the commit as JSON', async () => {
    const folder = join(work, 'model');
    await cp(FIXTURE_DIR, folder, { recursive: true });
    const result = await spantune(['push', folder, '--repo', 'spantune-tester/pushed', '--commit-message', 'from the CLI'], { HF_TOKEN: TOKEN });
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { repoId: string; commitOid: string; created: boolean; warnings: string[] };
    assert.equal(summary.repoId, 'spantune-tester/pushed');
    assert.equal(summary.commitOid, hub.branchSha('spantune-tester/pushed'));
    assert.equal(summary.created, true);
    assert.match(summary.warnings.join(), /no README\.md/);
    assert.deepEqual(hub.commitSummaries('spantune-tester/pushed').at(-1), 'from the CLI');
    const missing = await spantune(['push', folder, '--repo', 'x/y']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /token with write access is needed/);
  });

  it('prints usage for --help', async () => {
    for (const command of ['download', 'push']) {
      const result = await spantune([command, '--help']);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^Usage: spantune ${command} `));
    }
  });
});

/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PushResult } from '../../src/engine/hub';
import type { NativeSetupResult } from '../../src/extension/commands/native-engine';
import { readFixtureFiles, startFakeHub, type FakeHub } from '../support/fake-hub-server';
import { activateSpanTune, workspaceFile } from './helpers';

const REPO = 'spantune-test/tiny-bert-qa';
const TOKEN = 'hf_hosttest_0123456789';
const WRITE_TOKEN = 'hf_hostwrite_0123456789';

suite('Models: Hub download and the accelerated engine', () => {
  let hub: FakeHub;
  let cacheDir: string;
  const saved: Record<string, string | undefined> = {};
  let baseModel: unknown;

  suiteSetup(async () => {
    const model = process.env.SPANTUNE_FIXTURE_MODEL as string;
    hub = await startFakeHub({ repos: [{ id: REPO, files: readFixtureFiles(model), gated: true }], tokens: { [TOKEN]: 'read', [WRITE_TOKEN]: 'write' } });
    cacheDir = await mkdtemp(path.join(tmpdir(), 'spantune-host-hub-'));
    // The extension host is this process: the Hub client reads its endpoint and cache from here.
    for (const key of ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_TOKEN', 'HF_HUB_OFFLINE']) saved[key] = process.env[key];
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_HUB_CACHE = cacheDir;
    delete process.env.HF_TOKEN;
    delete process.env.HF_HUB_OFFLINE;
    baseModel = vscode.workspace.getConfiguration('spantune').inspect('baseModel')?.workspaceValue;
    await activateSpanTune();
  });

  suiteTeardown(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await vscode.commands.executeCommand('spantune.setHubToken', '');
    await vscode.workspace.getConfiguration('spantune').update('baseModel', baseModel, vscode.ConfigurationTarget.Workspace);
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  test('a gated model without a token is refused and the setting is left alone', async () => {
    await vscode.commands.executeCommand('spantune.setHubToken', '');
    const before = vscode.workspace.getConfiguration('spantune').get('baseModel');
    const dir = await vscode.commands.executeCommand<string | undefined>('spantune.selectBaseModel', { hubId: REPO });
    assert.equal(dir, undefined);
    assert.ok(hub.log.some((r) => r.status === 401), 'the Hub answered 401');
    assert.equal(vscode.workspace.getConfiguration('spantune').get('baseModel'), before);
  });

  test('with the token from secret storage the model downloads into the Hugging Face cache and becomes the base model', async () => {
    assert.equal(await vscode.commands.executeCommand('spantune.setHubToken', TOKEN), true);
    hub.log.length = 0;
    const dir = await vscode.commands.executeCommand<string>('spantune.selectBaseModel', { hubId: REPO });
    assert.ok(dir, 'a snapshot folder');
    assert.ok(dir.startsWith(path.join(cacheDir, 'models--spantune-test--tiny-bert-qa', 'snapshots')), dir);
    const source = process.env.SPANTUNE_FIXTURE_MODEL as string;
    for (const name of ['config.json', 'vocab.txt', 'model.safetensors']) {
      assert.ok(readFileSync(path.join(dir, name)).equals(readFileSync(path.join(source, name))), `${name} identical to the Hub's`);
    }
    assert.ok(hub.log.some((r) => r.authorized && r.bodyBytes > 0), 'authorized file requests');
    assert.equal(vscode.workspace.getConfiguration('spantune').get('baseModel'), dir);
    // The token is kept in secret storage only.
    const settingsFile = workspaceFile('.vscode/settings.json').fsPath;
    assert.ok(existsSync(settingsFile), 'the base model went into the workspace settings');
    assert.ok(!(await readFile(settingsFile, 'utf8')).includes(TOKEN), 'no token in the workspace settings');
    for (const key of ['baseModel', 'datasetPath']) assert.ok(!String(vscode.workspace.getConfiguration('spantune').get(key)).includes(TOKEN));

    // A second selection is answered from the cache.
    hub.log.length = 0;
    assert.equal(await vscode.commands.executeCommand<string>('spantune.selectBaseModel', { hubId: REPO }), dir);
    assert.equal(hub.bytesServed(), 0, 'nothing downloaded again');
  });

  test('Export Model copies a model folder (never over an existing one); Push Model to Hub uploads it with the stored token', async () => {
    const source = process.env.SPANTUNE_FIXTURE_MODEL as string;
    const target = await mkdtemp(path.join(tmpdir(), 'spantune-host-export-'));
    try {
      const exported = await vscode.commands.executeCommand<string>('spantune.exportModel', { modelDir: source, target });
      assert.equal(exported, path.join(target, path.basename(source)));
      for (const name of ['config.json', 'model.safetensors']) assert.ok(readFileSync(path.join(exported, name)).equals(readFileSync(path.join(source, name))));
      assert.equal(await vscode.commands.executeCommand('spantune.exportModel', { modelDir: source, target }), undefined, 'an existing export is not overwritten');

      assert.equal(await vscode.commands.executeCommand('spantune.setHubToken', WRITE_TOKEN), true);
      const pushed = await vscode.commands.executeCommand<PushResult>('spantune.pushModel', { modelDir: exported, repoId: 'spantune-tester/exported-qa' });
      assert.ok(pushed, 'the push reports its commit');
      const files = hub.filesAt('spantune-tester/exported-qa');
      assert.ok(files.get('config.json')?.equals(readFileSync(path.join(source, 'config.json'))), 'config.json on the Hub');
      assert.ok(files.get('model.safetensors')?.equals(readFileSync(path.join(source, 'model.safetensors'))), 'weights on the Hub');
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });

  test('Set Up Accelerated Engine explains in plain words why the GPU engine cannot run here', async () => {
    const result = await vscode.commands.executeCommand<NativeSetupResult>('spantune.setUpEngine', 'gpu');
    assert.ok(result, 'the command reports its check');
    assert.equal(result.installed, false);
    const text = result.problems.join(' ');
    assert.match(text, /CUDA 11\.2/);
    assert.match(text, /cuDNN 8\.1/);
  });
});

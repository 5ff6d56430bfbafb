import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { normalizeEtag, readRef, repoFolderName, validateRepoFilePath, validateRepoId, writeRef } from '../../../src/engine/hub/cache-layout';
import { redactToken } from '../../../src/engine/hub/errors';
import { selectModelFiles, shardsFromIndex } from '../../../src/engine/hub/file-selection';
import { TransferMeter, formatBytes, formatDuration } from '../../../src/engine/hub/progress';
import { hubCacheDir, hubEndpoint, isOffline, proxyFromEnvironment, tokenFromEnvironment } from '../../../src/engine/hub/settings';

describe('settings from the environment', () => {
  it('finds the cache as huggingface_hub does', () => {
    assert.equal(hubCacheDir({ HF_HUB_CACHE: '/x/hub' }), '/x/hub');
    assert.equal(hubCacheDir({ HF_HOME: '/h' }), '/h/hub');
    assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/xdg' }), '/xdg/huggingface/hub');
    assert.equal(hubCacheDir({}), join(homedir(), '.cache', 'huggingface', 'hub'));
    assert.equal(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' }), '/a');
  });

  it('reads the endpoint, offline flag, proxy and token', async () => {
    assert.equal(hubEndpoint({}), 'https://huggingface.co');
    assert.equal(hubEndpoint({ HF_ENDPOINT: 'https://hf-mirror.example/' }), 'https://hf-mirror.example');
    for (const on of ['1', 'true', 'YES', 'on']) assert.equal(isOffline({ HF_HUB_OFFLINE: on }), true, on);
    for (const off of [undefined, '0', 'false', '']) assert.equal(isOffline({ HF_HUB_OFFLINE: off }), false, String(off));
    assert.deepEqual(proxyFromEnvironment({ https_proxy: 'http://p:3128', NO_PROXY: 'localhost' }), { proxy: 'http://p:3128', noProxy: 'localhost' });
    const home = await mkdtemp(join(tmpdir(), 'spantune-hfhome-'));
    try {
      assert.equal(tokenFromEnvironment({ HF_HOME: home }), undefined);
      await writeFile(join(home, 'token'), 'hf_fromFile\n');
      assert.equal(tokenFromEnvironment({ HF_HOME: home }), 'hf_fromFile');
      assert.equal(tokenFromEnvironment({ HF_HOME: home, HF_TOKEN: 'hf_fromEnv' }), 'hf_fromEnv');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('cache layout helpers', () => {
  it('names repository folders and normalises ETags', () => {
    assert.equal(repoFolderName('deepset/minilm-uncased-squad2'), 'models--deepset--minilm-uncased-squad2');
    assert.equal(repoFolderName('bert-base-uncased'), 'models--bert-base-uncased');
    assert.equal(normalizeEtag('W/"abc123"'), 'abc123');
    assert.equal(normalizeEtag('"d41d8cd98f00b204e9800998ecf8427e"'), 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('rejects ids and file names that could escape the cache', () => {
    for (const good of ['bert-base-uncased', 'deepset/minilm-uncased-squad2', 'a.b_c/d-e.f']) validateRepoId(good);
    for (const bad of ['', 'a/b/c', '../x', 'a--b/c', 'a/b..c', '-a/b', 'a/b.', 'a b/c']) assert.throws(() => validateRepoId(bad), /not a valid/, bad);
    for (const good of ['config.json', 'onnx/model.onnx']) validateRepoFilePath(good);
    for (const bad of ['', '/etc/passwd', '../x', 'a/../../b', 'a//b', 'a\\b', './a']) assert.throws(() => validateRepoFilePath(bad), /not a plain relative path/, bad);
  });

  it('writes refs atomically, nested for branch names with slashes', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'spantune-refs-'));
    try {
      const sha = 'a'.repeat(40);
      await writeRef(storage, 'refs/pr/3', sha);
      assert.equal(await readFile(join(storage, 'refs', 'refs', 'pr', '3'), 'utf8'), sha);
      assert.equal(await readRef(storage, 'refs/pr/3'), sha);
      await writeRef(storage, sha, sha); // a commit sha needs no ref
      assert.equal(await readRef(storage, sha), undefined);
    } finally {
      await rm(storage, { recursive: true, force: true });
    }
  });
});

describe('file selection', () => {
  const tokenizer = ['vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
  it('prefers safetensors, then the sharded index, then pytorch_model.bin with a warning', () => {
    const all = ['config.json', ...tokenizer, 'model.safetensors', 'pytorch_model.bin', 'tf_model.h5', 'README.md', '.gitattributes'];
    assert.deepEqual(selectModelFiles('a/b', all).files, ['config.json', ...tokenizer, 'model.safetensors']);
    const sharded = selectModelFiles('a/b', ['config.json', 'tokenizer.json', 'model.safetensors.index.json', 'pytorch_model.bin']);
    assert.equal(sharded.shardIndex, 'model.safetensors.index.json');
    const pytorch = selectModelFiles('a/b', ['config.json', 'tokenizer.json', 'pytorch_model.bin']);
    assert.equal(pytorch.weightsFormat, 'pytorch');
    assert.match(pytorch.warnings[0]!, /cannot read/);
    assert.throws(() => selectModelFiles('a/b', ['config.json', 'tokenizer.json', 'pytorch_model.bin'], false), /pytorch_model\.bin/);
  });

  it('explains what is missing', () => {
    assert.throws(() => selectModelFiles('a/b', ['vocab.txt', 'model.safetensors']), /no config\.json/);
    assert.throws(() => selectModelFiles('a/b', ['config.json', 'model.safetensors']), /neither tokenizer\.json nor vocab\.txt/);
    assert.throws(() => selectModelFiles('a/b', ['config.json', 'vocab.txt', 'tf_model.h5']), /no PyTorch\/safetensors weights.*tf_model\.h5/);
  });

  it('reads the shards of an index once each and checks they exist', () => {
    const text = JSON.stringify({ weight_map: { a: 's1', b: 's2', c: 's1' } });
    assert.deepEqual(shardsFromIndex('a/b', 'i.json', text, ['s1', 's2']), ['s1', 's2']);
    assert.throws(() => shardsFromIndex('a/b', 'i.json', text, ['s1']), /not in the repository: s2/);
    assert.throws(() => shardsFromIndex('a/b', 'i.json', '{'), /not valid JSON/);
    assert.throws(() => shardsFromIndex('a/b', 'i.json', '{"weight_map": []}'), /no "weight_map" object/);
  });
});

describe('progress', () => {
  it('computes percent, speed over a window, and time left', () => {
    let now = 0;
    const meter = new TransferMeter(1000, () => now);
    meter.addPresent(200); // resumed bytes: done, but not speed
    assert.equal(meter.percent, 20);
    assert.equal(meter.bytesPerSecond, 0);
    assert.equal(meter.etaSeconds, undefined);
    now = 1000;
    meter.addTransferred(100);
    now = 2000;
    meter.addTransferred(100);
    assert.equal(meter.bytesPerSecond, 100);
    assert.equal(meter.etaSeconds, 6);
    now = 20_000; // old samples leave the window
    meter.addTransferred(300);
    assert.ok(meter.bytesPerSecond > 15 && meter.bytesPerSecond < 40, String(meter.bytesPerSecond));
    assert.equal(meter.percent, 70);
    meter.discard(100);
    assert.equal(meter.done, 600);
  });

  it('formats sizes and durations', () => {
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(4_045_768), '4.0 MB');
    assert.equal(formatBytes(438_000_000), '438 MB');
    assert.equal(formatDuration(75), '01:15');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatDuration(undefined), '--:--');
  });

  it('redacts tokens from text', () => {
    assert.equal(redactToken('Bearer hf_abc and hf_abc', 'hf_abc'), 'Bearer hf_*** and hf_***');
    assert.equal(redactToken('nothing', undefined), 'nothing');
  });
});

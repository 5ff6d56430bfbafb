import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';

import { renderModelCard, writeModelCard, type ModelCardInput } from '../../../src/engine/export/model-card';

const input: ModelCardInput = {
  modelName: 'MiniLM fine-tuned on COVID-QA',
  repoId: 'alice/minilm-covid-qa',
  baseModel: 'deepset/minilm-uncased-squad2',
  datasets: ['covid_qa_deepset'],
  language: ['en'],
  license: 'cc-by-4.0',
  data: { trainExamples: 1613, validationExamples: 406, validationSource: '20% of the passages held out', version2WithNegative: true },
  hyperparameters: {
    learningRate: 3e-5,
    epochs: 2,
    batchSize: 8,
    gradAccum: 2,
    maxSeqLength: 384,
    docStride: 128,
    maxQueryLength: 64,
    warmupRatio: 0.1,
    weightDecay: 0.01,
    seed: 42,
  },
  before: { exact: 31.2, f1: 40.55 },
  after: { exact: 45.6789, f1: 58.1 },
  trainingSeconds: 5430,
  backend: 'wasm, 2 threads',
};

function splitCard(text: string): { meta: Record<string, unknown>; body: string } {
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  assert.ok(match, 'the card starts with YAML front matter between --- lines');
  return { meta: parseYaml(match[1]!) as Record<string, unknown>, body: match[2]! };
}

describe('model card', () => {
  it('has front matter the Hub reads: library, pipeline, base model, datasets, metrics and results', () => {
    const { meta } = splitCard(renderModelCard(input));
    assert.equal(meta.library_name, 'transformers');
    assert.equal(meta.pipeline_tag, 'question-answering');
    assert.equal(meta.base_model, 'deepset/minilm-uncased-squad2');
    assert.deepEqual(meta.datasets, ['covid_qa_deepset']);
    assert.deepEqual(meta.metrics, ['exact_match', 'f1']);
    assert.equal(meta.license, 'cc-by-4.0');
    const index = meta['model-index'] as { name: string; results: { task: { type: string }; metrics: { type: string; value: number }[] }[] }[];
    assert.equal(index[0]!.name, 'alice/minilm-covid-qa');
    assert.equal(index[0]!.results[0]!.task.type, 'question-answering');
    assert.deepEqual(index[0]!.results[0]!.metrics.map((m) => [m.type, m.value]), [['exact_match', 45.68], ['f1', 58.1]]);
  });

  it('states data size, hyperparameters, scores before and after, and how to load it', () => {
    const { body } = splitCard(renderModelCard(input));
    assert.match(body, /^# MiniLM fine-tuned on COVID-QA$/m);
    assert.match(body, /\[deepset\/minilm-uncased-squad2\]\(https:\/\/huggingface\.co\/deepset\/minilm-uncased-squad2\)/);
    assert.match(body, /\| train \| 1613 \|/);
    assert.match(body, /\| validation \| 406 \|/);
    assert.match(body, /\| learning rate \| 0\.00003 \|/);
    assert.match(body, /\| gradient accumulation steps \| 2 \|/);
    assert.match(body, /\| before fine-tuning \(deepset\/minilm-uncased-squad2\) \| 31\.20 \| 40\.55 \|/);
    assert.match(body, /\| after fine-tuning \| 45\.68 \| 58\.10 \|/);
    assert.match(body, /\| change \| \+14\.48 \| \+17\.55 \|/);
    assert.match(body, /Trained in 1 h 30 min on wasm, 2 threads\./);
    assert.match(body, /pipeline\("question-answering", model="alice\/minilm-covid-qa"\)/);
    assert.match(body, /handle_impossible_answer=True/);
    assert.match(body, /AutoModelForQuestionAnswering\.from_pretrained\("alice\/minilm-covid-qa"\)/);
  });

  it('works without scores or a Hub id, and quotes odd names safely', () => {
    const minimal: ModelCardInput = {
      ...input,
      modelName: 'my model',
      repoId: undefined,
      baseModel: '/home/me/models/base: "quoted"',
      datasets: undefined,
      before: undefined,
      after: undefined,
      data: { trainExamples: 10, validationExamples: 2, version2WithNegative: false },
    };
    const { meta, body } = splitCard(renderModelCard(minimal));
    assert.equal(meta.base_model, '/home/me/models/base: "quoted"');
    assert.equal(meta['model-index'], undefined);
    assert.match(body, /No validation scores were recorded/);
    assert.match(body, /model="path\/to\/this\/folder"/);
    assert.doesNotMatch(body, /handle_impossible_answer/);
  });

  it('refuses impossible scores and counts', () => {
    assert.throws(() => renderModelCard({ ...input, after: { exact: 0.5, f1: 101 } }), /after\.f1 must be a percentage/);
    assert.throws(() => renderModelCard({ ...input, data: { ...input.data, trainExamples: 1.5 } }), /trainExamples must be a whole number/);
  });

  it('writes README.md atomically into the model folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spantune-card-'));
    try {
      const path = await writeModelCard(dir, input);
      assert.equal(path, join(dir, 'README.md'));
      assert.equal(await readFile(path, 'utf8'), renderModelCard(input));
      assert.deepEqual(await readdir(dir), ['README.md'], 'no temporary file is left behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';

import { exportTrainingRecipe, hubIdFromCachePath, type RecipeSettings } from '../../../src/engine/export/recipe';
import { readSquadFile } from '../../../src/engine/squad/dataset';

const ROOT = resolve(__dirname, '../../..');
const XQUAD = resolve(ROOT, '../shared/data/xquad-en/xquad.en.json');
const TINY_MODEL = resolve(ROOT, '../shared/fixtures/models/tiny-bert-qa');

const settings: RecipeSettings = {
  trainFile: XQUAD,
  validationSplit: 0.2,
  epochs: 3,
  batchSize: 12,
  gradAccum: 2,
  learningRate: 5e-5,
  warmupRatio: 0.1,
  weightDecay: 0.01,
  maxGradNorm: 1,
  seed: 7,
  maxSeqLength: 256,
  docStride: 64,
  maxQueryLength: 64,
  version2WithNegative: false,
};

interface RunQaFile {
  data: { id: string; title: string; context: string; question: string; answers: { text: string[]; answer_start: number[] } }[];
}

let work: string;
before(async () => {
  work = await mkdtemp(join(tmpdir(), 'spantune-recipe-'));
});
after(async () => rm(work, { recursive: true, force: true }));

/** Runs train.sh with stand-ins for nvidia-smi, python3 and accelerate that record the command line. */
async function runTrainScript(dir: string, env: Record<string, string>): Promise<{ argv: string[]; stderr: string }> {
  const bin = join(dir, '.fake-bin');
  await mkdir(bin, { recursive: true });
  const record = join(dir, '.accelerate-argv');
  await writeFile(join(bin, 'accelerate'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > "${record}"\n`);
  await writeFile(join(bin, 'nvidia-smi'), '#!/bin/sh\necho "GPU 0: A"; echo "GPU 1: B"\n');
  for (const name of ['accelerate', 'nvidia-smi']) await chmod(join(bin, name), 0o755);
  const stderr = await new Promise<string>((done, fail) => {
    execFile('bash', [join(dir, 'train.sh'), '--fp16'], { env: { PATH: `${bin}:${process.env.PATH}`, RUN_QA_DIR: '/opt/run_qa', ...env }, timeout: 20_000 }, (error, _stdout, stderrText) =>
      error ? fail(new Error(`train.sh failed: ${stderrText}`)) : done(stderrText),
    );
  });
  return { argv: (await readFile(record, 'utf8')).trimEnd().split('\n'), stderr };
}

function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
}

describe('exportTrainingRecipe', () => {
  it('writes the data, train.sh, accelerate config, requirements and README', async () => {
    const outDir = join(work, 'hub-model');
    const result = await exportTrainingRecipe({ settings, baseModel: 'deepset/minilm-uncased-squad2', outDir });
    assert.deepEqual((await readdir(outDir)).sort(), ['README.md', 'accelerate_config.yaml', 'data', 'requirements.txt', 'spantune-recipe.json', 'train.sh']);
    assert.deepEqual((await readdir(join(outDir, 'data'))).sort(), ['train.json', 'validation.json', 'validation.squad.json']);
    assert.equal(result.trainExamples + result.validationExamples, 1190);
    assert.ok(result.validationExamples > 150 && result.validationExamples < 330, String(result.validationExamples));
    assert.equal(result.modelArgument, 'deepset/minilm-uncased-squad2');
    assert.ok(((await stat(join(outDir, 'train.sh'))).mode & 0o111) !== 0, 'train.sh is executable');

    // run_qa.py's format: flat records, answers as parallel lists that point into the context.
    const train = JSON.parse(await readFile(join(outDir, 'data/train.json'), 'utf8')) as RunQaFile;
    const validation = JSON.parse(await readFile(join(outDir, 'data/validation.json'), 'utf8')) as RunQaFile;
    assert.equal(train.data.length, result.trainExamples);
    for (const record of [...train.data, ...validation.data]) {
      assert.equal(record.answers.text.length, record.answers.answer_start.length);
      record.answers.text.forEach((text, i) => assert.equal(record.context.slice(record.answers.answer_start[i], record.answers.answer_start[i]! + text.length), text));
    }
    const trainContexts = new Set(train.data.map((r) => r.context));
    assert.ok(validation.data.every((r) => !trainContexts.has(r.context)), 'the split is by context, as SpanTune splits');

    // The nested copy reads back as SQuAD for spantune predict/evaluate.
    const squad = await readSquadFile(join(outDir, 'data/validation.squad.json'), { purpose: 'evaluate' });
    assert.equal(squad.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas)).length, result.validationExamples);

    const config = parseYaml(await readFile(join(outDir, 'accelerate_config.yaml'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.distributed_type, 'MULTI_GPU');
    assert.equal(config.num_machines, 1);
    const requirements = await readFile(join(outDir, 'requirements.txt'), 'utf8');
    for (const name of ['torch', 'transformers', 'datasets', 'evaluate', 'accelerate']) assert.match(requirements, new RegExp(`^${name}[><=]`, 'm'));
    const readme = await readFile(join(outDir, 'README.md'), 'utf8');
    assert.match(readme, /spantune predict --model output --data data\/validation\.squad\.json/);
    assert.match(readme, /\| examples per optimizer step \| 24 \|/);
  });

  it('train.sh launches run_qa.py under accelerate with the same hyperparameters, splitting the batch over the GPUs', async () => {
    const outDir = join(work, 'hub-model');
    const { argv } = await runTrainScript(outDir, {});
    assert.deepEqual(argv.slice(0, 6), ['launch', '--config_file', 'accelerate_config.yaml', '--num_processes', '2', '/opt/run_qa/run_qa.py']);
    const expected: Record<string, string> = {
      '--model_name_or_path': 'deepset/minilm-uncased-squad2',
      '--train_file': 'data/train.json',
      '--validation_file': 'data/validation.json',
      '--learning_rate': '0.00005',
      '--num_train_epochs': '3',
      '--per_device_train_batch_size': '12', // 12 × 2 per step = 12 per GPU × 2 GPUs × 1 accumulation
      '--gradient_accumulation_steps': '1',
      '--max_seq_length': '256',
      '--doc_stride': '64',
      '--warmup_ratio': '0.1',
      '--weight_decay': '0.01',
      '--max_grad_norm': '1',
      '--seed': '7',
      '--output_dir': 'output',
    };
    for (const [flag, value] of Object.entries(expected)) assert.equal(flagValue(argv, flag), value, flag);
    for (const flag of ['--do_train', '--do_eval']) assert.ok(argv.includes(flag), flag);
    assert.ok(!argv.includes('--version_2_with_negative'));
    assert.equal(argv.at(-1), '--fp16', 'extra arguments reach run_qa.py');

    const four = await runTrainScript(outDir, { NUM_GPUS: '4', GRAD_ACCUM: '2', OUTPUT_DIR: 'runs/x' });
    assert.equal(flagValue(four.argv, '--num_processes'), '4');
    assert.equal(flagValue(four.argv, '--per_device_train_batch_size'), '3');
    assert.equal(flagValue(four.argv, '--gradient_accumulation_steps'), '2');
    assert.equal(flagValue(four.argv, '--output_dir'), 'runs/x');

    const uneven = await runTrainScript(outDir, { NUM_GPUS: '5' });
    assert.equal(flagValue(uneven.argv, '--per_device_train_batch_size'), '5');
    assert.match(uneven.stderr, /do not split evenly over 5 GPU/);
  });

  it('turns a Hub cache snapshot back into its id and revision, and copies another model folder along', async () => {
    const sha = 'b'.repeat(40);
    assert.deepEqual(hubIdFromCachePath(`/c/hub/models--deepset--minilm-uncased-squad2/snapshots/${sha}`), { repoId: 'deepset/minilm-uncased-squad2', revision: sha });
    assert.equal(hubIdFromCachePath('/models/my-model'), undefined);

    const snapshot = join(work, 'cache', 'models--org--name', 'snapshots', sha);
    await mkdir(snapshot, { recursive: true });
    const fromCache = await exportTrainingRecipe({ settings, baseModel: snapshot, outDir: join(work, 'cached') });
    assert.equal(fromCache.modelArgument, 'org/name');
    const { argv } = await runTrainScript(join(work, 'cached'), {});
    assert.equal(flagValue(argv, '--model_revision'), sha);

    const local = await exportTrainingRecipe({ settings, baseModel: TINY_MODEL, outDir: join(work, 'local') });
    assert.equal(local.modelArgument, 'base-model');
    assert.deepEqual((await readdir(join(work, 'local', 'base-model'))).sort(), ['config.json', 'model.safetensors', 'special_tokens_map.json', 'tokenizer_config.json', 'vocab.txt']);
    assert.ok((await readFile(join(work, 'local', 'base-model', 'model.safetensors'))).equals(await readFile(join(TINY_MODEL, 'model.safetensors'))));
  });

  it('switches to SQuAD v2.0 mode when the data has unanswerable questions', async () => {
    const data = {
      version: 'v2.0',
      data: [
        { title: 'a', paragraphs: [{ context: 'The sky is blue.', qas: [{ id: 'q1', question: 'What colour is the sky?', answers: [{ text: 'blue', answer_start: 11 }], is_impossible: false }] }] },
        { title: 'b', paragraphs: [{ context: 'Grass grows.', qas: [{ id: 'q2', question: 'Who wrote it?', answers: [], is_impossible: true }] }] },
        { title: 'c', paragraphs: [{ context: 'Water is wet.', qas: [{ id: 'q3', question: 'What is wet?', answers: [{ text: 'Water', answer_start: 0 }], is_impossible: false }] }] },
      ],
    };
    const file = join(work, 'v2.json');
    await writeFile(file, JSON.stringify(data));
    const outDir = join(work, 'v2');
    const result = await exportTrainingRecipe({ settings: { ...settings, trainFile: file, validationSplit: 0.3 }, baseModel: 'mrm8488/bert-tiny-finetuned-squadv2', outDir });
    assert.equal(result.version2WithNegative, true);
    assert.match(result.notes.join('\n'), /unanswerable questions/);
    const { argv } = await runTrainScript(outDir, {});
    assert.ok(argv.includes('--version_2_with_negative'));
    const records = [...(JSON.parse(await readFile(join(outDir, 'data/train.json'), 'utf8')) as RunQaFile).data, ...(JSON.parse(await readFile(join(outDir, 'data/validation.json'), 'utf8')) as RunQaFile).data];
    assert.deepEqual(records.find((r) => r.id === 'q2')!.answers, { text: [], answer_start: [] });
  });

  it('refuses a folder with files, a non-model folder and a malformed id', async () => {
    await assert.rejects(exportTrainingRecipe({ settings, baseModel: 'a/b', outDir: join(work, 'hub-model') }), /already has files/);
    const empty = join(work, 'not-a-model');
    await mkdir(empty, { recursive: true });
    await assert.rejects(exportTrainingRecipe({ settings, baseModel: empty, outDir: join(work, 'x1') }), /no config\.json/);
    await assert.rejects(exportTrainingRecipe({ settings, baseModel: 'not a model id!', outDir: join(work, 'x2') }), /neither a folder nor a Hugging Face model id/);
  });

  it('spantune export-recipe writes the recipe and prints a JSON summary', async () => {
    const outDir = join(work, 'cli');
    const { stdout } = await new Promise<{ stdout: string }>((done, fail) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'export-recipe', '--dataset', XQUAD, '--model', 'distilbert/distilbert-base-cased-distilled-squad', '--out', outDir, '--epochs', '1', '--learning-rate', '2e-5'],
        { cwd: ROOT, timeout: 60_000 },
        (error, out, err) => (error ? fail(new Error(err)) : done({ stdout: out })),
      );
    });
    const summary = JSON.parse(stdout) as { trainExamples: number; files: string[] };
    assert.ok(summary.files.includes('train.sh'));
    const script = await readFile(join(outDir, 'train.sh'), 'utf8');
    assert.match(script, /--learning_rate 0\.00002 \\/);
    assert.match(script, /--num_train_epochs 1 \\/);
  });
});

import { isTfjsBackend, parseEngineBackend, parseProviderName, parseThreads, type BackendName } from '../../engine/backend/names';
import { readModelConfig } from '../../engine/checkpoint/config';
import { UserError } from '../../engine/errors';
import { parseJsonText } from '../../engine/squad/json-text';
import { readUserTextFile } from '../../engine/squad/text-file';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { parseCommandArgs, requireString } from '../args';
import { checkOutputFile } from '../output-checks';

const USAGE = `Usage: spantune forward --model DIR --inputs IN.json --out OUT.json [--backend NAME] [--provider NAME] [--threads N]

Runs the model on token ids. IN.json: {"input_ids": [[...], ...], "attention_mask": [[...], ...],
"token_type_ids": [[...], ...]} (token_type_ids optional; rows of equal length). OUT.json gets
{"start_logits": [[...]], "end_logits": [[...]]} for every position. ONNX Runtime computes them unless
--backend names a TensorFlow.js backend (tensorflow-gpu, tensorflow, wasm, cpu).`;

function readMatrix(input: Record<string, unknown>, key: string, file: string, rows?: number, columns?: number): number[][] | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  const fail = (why: string) => new UserError(`${file}: "${key}" ${why}`);
  if (!Array.isArray(value) || value.length === 0) throw fail('must be a non-empty list of rows');
  if (rows !== undefined && value.length !== rows) throw fail(`has ${value.length} rows, input_ids has ${rows}`);
  const width = columns ?? (Array.isArray(value[0]) ? value[0].length : 0);
  value.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== width || width === 0) throw fail(`row ${r} must be a list of ${width || 'one or more'} integers`);
    row.forEach((x, c) => {
      if (!Number.isInteger(x)) throw fail(`row ${r} column ${c} is ${JSON.stringify(x)}, not an integer`);
    });
  });
  return value as number[][];
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('forward', argv, {
    model: { type: 'string' },
    inputs: { type: 'string' },
    out: { type: 'string' },
    backend: { type: 'string' },
    provider: { type: 'string' },
    threads: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('forward', values, 'model');
  const inputsPath = requireString('forward', values, 'inputs');
  const outPath = requireString('forward', values, 'out');
  await checkOutputFile('--out', outPath);
  const raw = parseJsonText(await readUserTextFile(inputsPath), inputsPath);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${inputsPath} must hold a JSON object`);
  const input = raw as Record<string, unknown>;
  const inputIds = readMatrix(input, 'input_ids', inputsPath);
  if (!inputIds) throw new UserError(`${inputsPath}: "input_ids" is missing`);
  const [rows, columns] = [inputIds.length, inputIds[0]!.length];
  const attentionMask = readMatrix(input, 'attention_mask', inputsPath, rows, columns) ?? inputIds.map((row) => row.map(() => 1));
  const tokenTypeIds = readMatrix(input, 'token_type_ids', inputsPath, rows, columns);

  const backend = parseEngineBackend(values.backend);
  const config = await readModelConfig(modelDir);
  const vocab = config.vocabSize;
  const badId = inputIds.flat().find((id) => id < 0 || id >= vocab);
  if (badId !== undefined) throw new UserError(`${inputsPath}: token id ${badId} is outside the vocabulary (0..${vocab - 1})`);
  if (columns > config.maxPositionEmbeddings) {
    throw new UserError(`${inputsPath}: rows of ${columns} tokens exceed the model's ${config.maxPositionEmbeddings} positions`);
  }
  const matrices = { inputIds, attentionMask, tokenTypeIds: tokenTypeIds ?? inputIds.map((row) => row.map(() => 0)) };
  const { start, end } = isTfjsBackend(backend) ? await tfjsForward(modelDir, backend, matrices) : await onnxForward(modelDir, values, matrices);
  await writeFileAtomic(outPath, `${JSON.stringify({ start_logits: start, end_logits: end })}\n`);
}

type Matrices = { inputIds: number[][]; attentionMask: number[][]; tokenTypeIds: number[][] };

/** Logits on ONNX Runtime, from the model's (cached) graph. */
async function onnxForward(modelDir: string, values: Record<string, unknown>, m: Matrices): Promise<{ start: number[][]; end: number[][] }> {
  const { openOnnxQaModel } = await import('../../engine/onnx/qa-logits');
  const { session } = await openOnnxQaModel(modelDir, { provider: parseProviderName(values.provider as string | undefined), threads: parseThreads(values.threads) });
  try {
    const tensor = (rows: number[][]) => session.tensor('int64', BigInt64Array.from(rows.flat(), (v) => BigInt(v)), [rows.length, rows[0]!.length]);
    const feeds = { input_ids: tensor(m.inputIds), attention_mask: tensor(m.attentionMask), ...(session.inputNames.includes('token_type_ids') ? { token_type_ids: tensor(m.tokenTypeIds) } : {}) };
    const out = await session.run(feeds);
    const rows = (data: Float32Array) => m.inputIds.map((row, r) => Array.from(data.subarray(r * row.length, (r + 1) * row.length)));
    return { start: rows(out.start_logits!.data as Float32Array), end: rows(out.end_logits!.data as Float32Array) };
  } finally {
    await session.release();
  }
}

/** Logits on a TensorFlow.js backend (loaded only for this). */
async function tfjsForward(modelDir: string, backend: BackendName, m: Matrices): Promise<{ start: number[][]; end: number[][] }> {
  const { initBackend } = await import('../../engine/backend/select');
  const { loadQaModel } = await import('../../engine/model/load');
  const { forwardMatrices } = await import('../../engine/model/qa-model');
  await initBackend({ force: backend });
  const { model } = await loadQaModel(modelDir);
  return forwardMatrices(model, m);
}

import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendName } from '../../engine/backend/select';
import { UserError } from '../../engine/errors';
import { loadQaModel } from '../../engine/model/load';
import { forward } from '../../engine/model/qa-model';
import { parseJsonText } from '../../engine/squad/json-text';
import { readUserTextFile } from '../../engine/squad/text-file';
import { writeFileAtomic } from '../../engine/fs/atomic';
import { parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune forward --model DIR --inputs IN.json --out OUT.json [--backend NAME]

Runs the model on token ids. IN.json: {"input_ids": [[...], ...], "attention_mask": [[...], ...],
"token_type_ids": [[...], ...]} (token_type_ids optional; rows of equal length). OUT.json gets
{"start_logits": [[...]], "end_logits": [[...]]} for every position.`;

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
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('forward', values, 'model');
  const inputsPath = requireString('forward', values, 'inputs');
  const outPath = requireString('forward', values, 'out');
  const raw = parseJsonText(await readUserTextFile(inputsPath), inputsPath);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new UserError(`${inputsPath} must hold a JSON object`);
  const input = raw as Record<string, unknown>;
  const inputIds = readMatrix(input, 'input_ids', inputsPath);
  if (!inputIds) throw new UserError(`${inputsPath}: "input_ids" is missing`);
  const [rows, columns] = [inputIds.length, inputIds[0]!.length];
  const attentionMask = readMatrix(input, 'attention_mask', inputsPath, rows, columns) ?? inputIds.map((row) => row.map(() => 1));
  const tokenTypeIds = readMatrix(input, 'token_type_ids', inputsPath, rows, columns);

  await initBackend({ force: parseBackendName(values.backend) });
  const { model } = await loadQaModel(modelDir);
  const vocab = model.config.vocabSize;
  const badId = inputIds.flat().find((id) => id < 0 || id >= vocab);
  if (badId !== undefined) throw new UserError(`${inputsPath}: token id ${badId} is outside the vocabulary (0..${vocab - 1})`);
  if (columns > model.config.maxPositionEmbeddings) {
    throw new UserError(`${inputsPath}: rows of ${columns} tokens exceed the model's ${model.config.maxPositionEmbeddings} positions`);
  }
  const { start, end } = tf.tidy(() =>
    forward(model, {
      inputIds: tf.tensor2d(inputIds, undefined, 'int32'),
      attentionMask: tf.tensor2d(attentionMask, undefined, 'int32'),
      tokenTypeIds: tokenTypeIds ? tf.tensor2d(tokenTypeIds, undefined, 'int32') : undefined,
    }, { training: false }),
  );
  await writeFileAtomic(outPath, `${JSON.stringify({ start_logits: start.arraySync(), end_logits: end.arraySync() })}\n`);
}

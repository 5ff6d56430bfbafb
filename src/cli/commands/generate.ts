import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { parseEngineBackend, parseProviderName } from '../../engine/backend/names';
import { UserError } from '../../engine/errors';
import { writeSquadFile } from '../../engine/squad/dataset';
import { DEFAULT_MAX_FILE_SIZE, discoverFiles, DEFAULT_GENERATORS, GENERATOR_NAMES, type GeneratorName } from '../../engine/generate';
import { OpenAiChat } from '../../engine/generate/llm/openai';
import { LLM_DEFAULTS, resolveLanguageModelSettings, type LanguageModelSettings } from '../../engine/generate/llm/stage';
import { checkRoundTripSettings, DEFAULT_ROUND_TRIP_MIN_F1, type RoundTripSettings } from '../../engine/generate/roundtrip';
import { runGeneration } from '../../engine/generate/run';
import { optionalNumber, parseCommandArgs, requireString } from '../args';
import { checkOutputFile } from '../output-checks';

/** The environment variable that holds the language model endpoint's API key (never a flag: flags end up in shell history and process lists). */
const API_KEY_VARIABLE = 'SPANTUNE_LLM_API_KEY';

const USAGE = `Usage: spantune generate FILES_OR_GLOBS... --out DATASET.json [options]

Reads documents (Markdown, plain text, reStructuredText, AsciiDoc, HTML, and the comments and
docstrings of TypeScript/JavaScript, Python, Java, Go, Rust, C/C++ and C# files), splits them into
passages and proposes question-answer pairs, written as a SQuAD file of unreviewed, generated pairs.
Folders are searched whole; .gitignore files and generated folders (node_modules, dist, build, .git,
...) are respected. Progress goes to stderr, a JSON summary to stdout.

Options:
  --out FILE               the SQuAD JSON file to write (replaced atomically)
  --negatives F            add F x (number of pairs) unanswerable pairs (SQuAD v2.0), 0 to 1 (default 0)
  --max-per-passage N      keep at most N pairs per passage, the most confident (default 10)
  --generators a,b,...     generators to run (default ${DEFAULT_GENERATORS.join(',')});
                           all: ${GENERATOR_NAMES.join(', ')} (cloze writes statements with a blank)
  --include GLOB           only read files matching GLOB (repeatable)
  --exclude GLOB           skip files matching GLOB (repeatable)
  --max-file-size BYTES    skip files larger than this (default ${DEFAULT_MAX_FILE_SIZE})
  --no-gitignore           read files that .gitignore excludes
  --seed N                 seed of the random choice of negatives (default 1)
  --cwd DIR                workspace folder that paths are relative to (default: the current folder)

Round-trip filter (a QA model must find the generated answer):
  --filter-model DIR       answer each generated question with this QA model and keep the pair only
                           when the model's answer overlaps the generated one
  --filter-min-f1 F        least token F1 between the two answers, 0 to 1 (default ${DEFAULT_ROUND_TRIP_MIN_F1})
  --keep-failed            keep the pairs that fail too, marked "roundTrip": {"passed": false}
  --backend NAME           where the filter's model runs: auto (ONNX Runtime, else TensorFlow.js), onnx,
                           or a TensorFlow.js backend: tensorflow-gpu, tensorflow, wasm, cpu
  --provider NAME          ONNX Runtime provider: auto, cuda, webgpu or cpu

Language model (the passages are sent to the endpoint you name, and nowhere else):
  --llm-endpoint URL       an OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1 (Ollama); an API key,
                           if the endpoint needs one, is read from the environment variable ${API_KEY_VARIABLE}
  --llm-model NAME         the model to ask for questions whose answers are spans of each passage
  --llm-questions N        questions asked for per passage (default ${LLM_DEFAULTS.questionsPerPassage})
  --llm-max-requests N     at most N requests (default ${LLM_DEFAULTS.maxRequests})
  --llm-max-tokens N       at most N tokens, prompts and replies together (default ${LLM_DEFAULTS.maxTokens})
  --llm-timeout SECONDS    longest wait for one reply (default 120, at most 86400)`;

function parseGenerators(raw: string | undefined): GeneratorName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  for (const name of names) {
    if (!(GENERATOR_NAMES as readonly string[]).includes(name)) {
      throw new UserError(`spantune generate: --generators: unknown generator '${name}'; choose from ${GENERATOR_NAMES.join(', ')}`);
    }
  }
  if (names.length === 0) throw new UserError('spantune generate: --generators is empty');
  return names as GeneratorName[];
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    'generate',
    argv,
    {
      out: { type: 'string' },
      negatives: { type: 'string' },
      'max-per-passage': { type: 'string' },
      generators: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'max-file-size': { type: 'string' },
      'no-gitignore': { type: 'boolean' },
      seed: { type: 'string' },
      cwd: { type: 'string' },
      'filter-model': { type: 'string' },
      'filter-min-f1': { type: 'string' },
      'keep-failed': { type: 'boolean' },
      backend: { type: 'string' },
      provider: { type: 'string' },
      'llm-endpoint': { type: 'string' },
      'llm-model': { type: 'string' },
      'llm-questions': { type: 'string' },
      'llm-max-requests': { type: 'string' },
      'llm-max-tokens': { type: 'string' },
      'llm-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const out = requireString('generate', values, 'out');
  await checkOutputFile('--out', out);
  if (positionals.length === 0) throw new UserError('spantune generate: name at least one file, folder or glob to read');
  const negatives = optionalNumber('generate', values, 'negatives', { min: 0 });
  if (negatives !== undefined && negatives > 1) throw new UserError(`spantune generate: --negatives must be between 0 and 1, got ${negatives}`);
  const maxPerPassage = optionalNumber('generate', values, 'max-per-passage', { integer: true, min: 1 });
  const maxFileSize = optionalNumber('generate', values, 'max-file-size', { integer: true, min: 1 });
  const seed = optionalNumber('generate', values, 'seed', { integer: true, min: 0 });
  const generators = parseGenerators(values.generators);
  const roundTrip = await roundTripSettings(values);
  const llm = languageModel(values);

  const discovery = await discoverFiles(positionals, {
    cwd: values.cwd ?? process.cwd(),
    ...(values.include ? { include: values.include } : {}),
    ...(values.exclude ? { exclude: values.exclude } : {}),
    ...(maxFileSize !== undefined ? { maxFileSize } : {}),
    gitignore: !values['no-gitignore'],
  });
  if (discovery.files.length === 0) {
    throw new UserError(`spantune generate: no document to read (${discovery.skipped.length} skipped: ${summarizeReasons(discovery.skipped)})`);
  }
  if (llm) process.stderr.write(`generate: asking ${llm.chat.label} for questions about the passages\n`);
  const started = Date.now();
  const progress = new StatusLine();
  let outcome;
  try {
    outcome = await runGeneration(
      {
        files: discovery.files,
        options: { ...(generators ? { generators } : {}), ...(negatives !== undefined ? { negatives } : {}), ...(maxPerPassage !== undefined ? { maxPerPassage } : {}), ...(seed !== undefined ? { seed } : {}) },
        ...(roundTrip ? { roundTrip } : {}),
        ...(llm ? { languageModel: llm.settings } : {}),
      },
      llm?.chat,
      {
        onProgress: (done, total, stage) => progress.show(`generate: ${stage ? `${stage} ` : ''}${done}/${total} ${stage === 'round trip' ? 'windows' : stage ? 'passages' : 'files'}`),
        onLog: (message) => progress.print(message),
      },
    );
  } finally {
    progress.end();
  }
  const { dataset, stats, roundTrip: filtered, languageModel: asked } = outcome;
  if (filtered) process.stderr.write(`round trip with ${filtered.model}: ${filtered.passed} of ${filtered.checked} pair(s) passed (F1 >= ${filtered.minF1}), ${filtered.dropped} dropped\n`);
  await writeSquadFile(out, dataset);
  const summary = {
    out,
    filesRead: stats.files,
    filesSkipped: discovery.skipped.length + stats.filesWithoutPassages.length,
    skipped: [...discovery.skipped, ...stats.filesWithoutPassages],
    passages: stats.passages,
    passagesWithPairs: stats.passagesWithPairs,
    pairs: stats.pairs,
    pairsByGenerator: stats.pairsByGenerator,
    negatives: stats.negatives,
    negativesShort: stats.negativesShort,
    ...(filtered ? { roundTrip: filtered } : {}),
    ...(asked ? { languageModel: asked } : {}),
    version: dataset.version,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

type Values = Record<string, unknown>;

/** The round-trip filter's settings, checked before any work (a missing model folder fails at once). */
async function roundTripSettings(values: Values): Promise<RoundTripSettings | undefined> {
  const modelDir = values['filter-model'] as string | undefined;
  const minF1 = optionalNumber('generate', values, 'filter-min-f1', { min: 0 });
  if (modelDir === undefined) {
    for (const flag of ['filter-min-f1', 'keep-failed', 'backend', 'provider']) {
      if (values[flag] !== undefined) throw new UserError(`spantune generate: --${flag} needs --filter-model`);
    }
    return undefined;
  }
  const config = await stat(path.join(modelDir, 'config.json')).catch(() => undefined);
  if (!config?.isFile()) throw new UserError(`spantune generate: --filter-model ${modelDir}: not a model folder (no config.json)`);
  const settings: RoundTripSettings = {
    modelDir,
    ...(minF1 !== undefined ? { minF1 } : {}),
    keepFailed: values['keep-failed'] === true,
    backend: parseEngineBackend(values.backend as string | undefined),
    provider: parseProviderName(values.provider as string | undefined),
  };
  try {
    checkRoundTripSettings(settings);
  } catch (error) {
    throw new UserError(`spantune generate: --filter-min-f1: ${(error as Error).message}`);
  }
  return settings;
}

/** Longest --llm-timeout: a day is more than any reply needs, and far below what a timer can hold (about 24.8 days). */
const MAX_LLM_TIMEOUT_S = 86_400;

/** The language model named by --llm-endpoint and --llm-model, with its caps; undefined when none is named. */
function languageModel(values: Values): { chat: OpenAiChat; settings: LanguageModelSettings } | undefined {
  const endpoint = values['llm-endpoint'] as string | undefined;
  const model = values['llm-model'] as string | undefined;
  const flags = ['llm-questions', 'llm-max-requests', 'llm-max-tokens', 'llm-timeout'];
  if (endpoint === undefined && model === undefined) {
    for (const flag of flags) if (values[flag] !== undefined) throw new UserError(`spantune generate: --${flag} needs --llm-endpoint and --llm-model`);
    return undefined;
  }
  if (!endpoint) throw new UserError('spantune generate: --llm-model needs --llm-endpoint (the OpenAI-compatible API to ask)');
  if (!model) throw new UserError('spantune generate: --llm-endpoint needs --llm-model (the model to ask)');
  const integer = (name: string) => optionalNumber('generate', values, name, { integer: true, min: 1 });
  const settings = resolveLanguageModelSettings({
    questionsPerPassage: integer('llm-questions'),
    maxRequests: integer('llm-max-requests'),
    maxTokens: integer('llm-max-tokens'),
  });
  const timeout = optionalNumber('generate', values, 'llm-timeout', { min: 0.001, max: MAX_LLM_TIMEOUT_S });
  const apiKey = process.env[API_KEY_VARIABLE] || undefined;
  const chat = new OpenAiChat({ endpoint, model, apiKey, apiKeySource: API_KEY_VARIABLE, ...(timeout !== undefined ? { timeoutMs: timeout * 1000 } : {}) });
  return { chat, settings };
}

/** One progress line on stderr, redrawn in place; other messages and errors start on a line of their own. */
class StatusLine {
  private open = false;
  show(line: string): void {
    process.stderr.write(`\r${line}\x1b[K`);
    this.open = true;
  }
  print(message: string): void {
    this.end();
    process.stderr.write(`${message}\n`);
  }
  end(): void {
    if (this.open) process.stderr.write('\n');
    this.open = false;
  }
}

function summarizeReasons(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) {
    const key = reason.replace(/\(.*\)$/, '').trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join('; ') || 'nothing matched';
}

import { UserError } from '../../engine/errors';
import { writeSquadFile } from '../../engine/squad/dataset';
import { DEFAULT_MAX_FILE_SIZE, discoverFiles, generateFromFiles, DEFAULT_GENERATORS, GENERATOR_NAMES, type GeneratorName } from '../../engine/generate';
import { optionalNumber, parseCommandArgs, requireString } from '../args';

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
  --cwd DIR                workspace folder that paths are relative to (default: the current folder)`;

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
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const out = requireString('generate', values, 'out');
  if (positionals.length === 0) throw new UserError('spantune generate: name at least one file, folder or glob to read');
  const negatives = optionalNumber('generate', values, 'negatives', { min: 0 });
  if (negatives !== undefined && negatives > 1) throw new UserError(`spantune generate: --negatives must be between 0 and 1, got ${negatives}`);
  const maxPerPassage = optionalNumber('generate', values, 'max-per-passage', { integer: true, min: 1 });
  const maxFileSize = optionalNumber('generate', values, 'max-file-size', { integer: true, min: 1 });
  const seed = optionalNumber('generate', values, 'seed', { integer: true, min: 0 });
  const generators = parseGenerators(values.generators);

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
  const started = Date.now();
  const { dataset, stats } = await generateFromFiles(
    discovery.files,
    { ...(generators ? { generators } : {}), ...(negatives !== undefined ? { negatives } : {}), ...(maxPerPassage !== undefined ? { maxPerPassage } : {}), ...(seed !== undefined ? { seed } : {}) },
    (done, total) => process.stderr.write(`\rgenerate: ${done}/${total} files`),
  );
  process.stderr.write('\n');
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
    version: dataset.version,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

function summarizeReasons(skipped: { reason: string }[]): string {
  const counts = new Map<string, number>();
  for (const { reason } of skipped) {
    const key = reason.replace(/\(.*\)$/, '').trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join('; ') || 'nothing matched';
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { UserError } from '../../../src/engine/errors';
import { discoverFiles } from '../../../src/engine/generate';
import type { SquadDataset } from '../../../src/engine/squad/types';

const repoRoot = path.resolve(__dirname, '../../..');

/** A small workspace with documents, sources, and everything that must be skipped. */
function makeWorkspace(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'spantune-generate-'));
  const write = (file: string, data: string | Buffer) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), data);
  };
  write('.gitignore', 'private/\n*.log.md\n');
  write('docs/guide.md', '# Guide\n\nSpanTune is a tool for fine-tuning question answering models. It was released in March 2024 by the Example Lab in Berlin.\n\n## Setup\n\nThe setup takes 5 minutes on a laptop. Alice Smith wrote the installer.\n');
  write('docs/nested/.gitignore', 'draft.md\n');
  write('docs/nested/draft.md', '# Draft\n\nA draft is a document that is not finished yet.\n');
  write('docs/nested/final.rst', 'Final\n=====\n\nThe final report is a summary of the whole project.\n');
  write('src/math.ts', '/**\n * Clamps a value.\n * @param value the number to clamp\n * @returns the clamped value\n */\nexport function clamp(value: number) { return value; }\n');
  write('private/secret.md', '# Secret\n\nThe password is hunter2 and nobody knows it.\n');
  write('build.log.md', '# Log\n\nThe build was green on Monday.\n');
  write('node_modules/pkg/README.md', '# Pkg\n\nA package is a folder of code.\n');
  write('dist/out.md', '# Out\n\nGenerated output is not documentation.\n');
  write('docs/binary.txt', Buffer.from([0x48, 0x69, 0x00, 0x01]));
  write('docs/latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x21]));
  write('docs/huge.md', `# Huge\n\n${'word '.repeat(5000)}\n`);
  write('image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  return root;
}

test('discovery reads documents and reports generated folders, .gitignore, size, binary, encoding and format skips', async () => {
  const root = makeWorkspace();
  const { files, skipped } = await discoverFiles(['.'], { cwd: root, maxFileSize: 10_000 });
  assert.deepEqual(files.map((file) => file.path), ['docs/guide.md', 'docs/nested/final.rst', 'src/math.ts']);
  assert.equal(files[0]!.text, readFileSync(path.join(root, 'docs/guide.md'), 'utf8'));
  const reasons = Object.fromEntries(skipped.map(({ path: file, reason }) => [file, reason]));
  assert.equal(reasons['node_modules/'], 'generated or dependency folder');
  assert.equal(reasons['dist/'], 'generated or dependency folder');
  assert.equal(reasons['private/secret.md'], 'ignored by .gitignore');
  assert.equal(reasons['build.log.md'], 'ignored by .gitignore');
  assert.equal(reasons['docs/nested/draft.md'], 'ignored by .gitignore');
  assert.match(reasons['docs/huge.md']!, /^larger than the limit of 10000 bytes/);
  assert.match(reasons['docs/binary.txt']!, /^binary file \(a NUL byte at byte 2\)/);
  assert.match(reasons['docs/latin1.txt']!, /^not UTF-8 text \(bad byte at offset 3\)/);
  assert.equal(reasons['image.png'], 'not a document format that is read');
  assert.ok(!files.some((file) => file.path.includes('node_modules') || file.path.startsWith('dist/')));
});

test('discovery: globs, --include/--exclude, explicit files beat .gitignore, missing paths are user errors', async () => {
  const root = makeWorkspace();
  const globbed = await discoverFiles(['docs/**/*.{md,rst}'], { cwd: root, exclude: ['**/*.rst'] });
  assert.deepEqual(globbed.files.map((file) => file.path), ['docs/guide.md', 'docs/huge.md']);
  assert.ok(globbed.skipped.some((entry) => entry.path === 'docs/nested/final.rst' && entry.reason === 'matched by --exclude'));
  const included = await discoverFiles(['.'], { cwd: root, include: ['src/**'] });
  assert.deepEqual(included.files.map((file) => file.path), ['src/math.ts']);
  const explicit = await discoverFiles(['private/secret.md'], { cwd: root });
  assert.deepEqual(explicit.files.map((file) => file.path), ['private/secret.md']);
  const noGitignore = await discoverFiles(['private'], { cwd: root, gitignore: false });
  assert.deepEqual(noGitignore.files.map((file) => file.path), ['private/secret.md']);
  await assert.rejects(discoverFiles(['nowhere.md'], { cwd: root }), (error: unknown) => error instanceof UserError && /nowhere\.md: no such file or folder/.test(error.message));
  const none = await discoverFiles(['*.xyz'], { cwd: root });
  assert.deepEqual(none.skipped, [{ path: '*.xyz', reason: 'matched no file' }]);
});

const run = promisify(execFile);

test('spantune generate end to end: a folder of files becomes a SQuAD file that parses, with a JSON summary', async () => {
  const root = makeWorkspace();
  const out = path.join(root, 'out', 'dataset.json');
  mkdirSync(path.dirname(out));
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'src/cli/run.ts'), 'generate', '.', '--out', out, '--negatives', '0.5', '--max-file-size', '10000', '--generators', 'definition,entity,codedoc,heading', '--cwd', root],
    { cwd: repoRoot },
  );
  assert.match(stderr, /generate: 3\/3 files/);
  const summary = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(summary.filesRead, 3);
  assert.ok((summary.skipped as { path: string }[]).some((entry) => entry.path === 'docs/binary.txt'));
  assert.ok((summary.pairs as number) >= 4);
  const dataset = JSON.parse(readFileSync(out, 'utf8')) as SquadDataset;
  assert.equal(dataset.version, summary.version);
  const generatorsSeen = new Set<string>();
  for (const article of dataset.data) {
    const file = readFileSync(path.join(root, article.title!), 'utf8');
    for (const paragraph of article.paragraphs) {
      const source = paragraph.source as { start: number; end: number };
      assert.equal(file.slice(source.start, source.end), paragraph.context);
      for (const qa of paragraph.qas) {
        generatorsSeen.add(qa.generator as string);
        for (const answer of qa.answers) assert.equal(paragraph.context.slice(answer.answer_start, answer.answer_start + answer.text.length), answer.text);
      }
    }
  }
  for (const name of ['codedoc', 'definition', 'entity']) assert.ok(generatorsSeen.has(name), `no ${name} pair`);
  for (const name of generatorsSeen) assert.ok(['codedoc', 'definition', 'entity', 'heading'].includes(name), `${name} was not asked for`);
  assert.deepEqual(summary.pairsByGenerator, Object.fromEntries(Object.entries(summary.pairsByGenerator as object).filter(([name]) => generatorsSeen.has(name))));
});

test('spantune generate: bad flags are one-line user errors with exit code 2', async () => {
  const root = makeWorkspace();
  const cli = (args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/run.ts'), 'generate', '--cwd', root, ...args], { cwd: repoRoot });
  const out = path.join(root, 'x.json');
  await assert.rejects(cli(['docs', '--out', out, '--generators', 'definition,bogus']), (error: { code?: number; stderr?: string }) => error.code === 2 && /unknown generator 'bogus'/.test(error.stderr ?? ''));
  await assert.rejects(cli(['docs', '--out', out, '--negatives', '1.5']), (error: { code?: number; stderr?: string }) => error.code === 2 && /--negatives must be between 0 and 1/.test(error.stderr ?? ''));
  await assert.rejects(cli(['docs']), (error: { code?: number; stderr?: string }) => error.code === 2 && /--out is required/.test(error.stderr ?? ''));
  await assert.rejects(cli(['image.png', '--out', out]), (error: { code?: number; stderr?: string }) => error.code === 2 && /no document to read/.test(error.stderr ?? ''));
  const help = await cli(['--help']);
  assert.match(help.stdout, /Usage: spantune generate FILES_OR_GLOBS/);
});

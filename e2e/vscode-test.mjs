// @vscode/test-cli configuration: the mocha suites in test/extension run inside code-server's real
// extension host (see e2e/host/code-executable); nothing is downloaded.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@vscode/test-cli';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = join(root, '.e2e');
const workspace = join(scratch, 'host-workspace');

// A fresh copy of the fixture workspace for every run.
rmSync(workspace, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
cpSync(join(root, 'e2e', 'fixtures', 'workspace'), workspace, { recursive: true });
// A copy of the shared tiny model: running it keeps its built ONNX graph in the model folder.
const fixtureModel = join(scratch, 'fixture-models', 'tiny-bert-qa');
cpSync(resolve(root, '..', 'shared', 'fixtures', 'models', 'tiny-bert-qa'), fixtureModel, { recursive: true, filter: (source) => !source.endsWith('/onnx') });

export default defineConfig({
  label: 'extension-host',
  files: '../out/test/extension/**/*.test.js',
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  useInstallation: { fromPath: join(root, 'e2e', 'host', 'code-executable') },
  launchArgs: [`--user-data-dir=${join(scratch, 'test-cli-user-data')}`, `--extensions-dir=${join(scratch, 'test-cli-extensions')}`],
  env: { SPANTUNE_FIXTURE_MODEL: fixtureModel },
  mocha: { ui: 'tdd', timeout: 120000, color: false, reporter: join(root, 'e2e', 'host', 'line-reporter.cjs') },
});

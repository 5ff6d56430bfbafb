/** Where things are: the repository, code-server, Chromium, scratch space and screenshots. */
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const codeServerEntry = path.join(repoRoot, 'e2e', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.SPANTUNE_CHROMIUM ?? '/usr/bin/chromium';
/** Scratch space for code-server profiles and test workspaces (ignored by git). */
export const scratchRoot = path.join(repoRoot, '.e2e');
export const screenshotsDir = path.join(repoRoot, 'test-artifacts', 'screenshots');
export const fixtureModel = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'models', 'tiny-bert-qa');

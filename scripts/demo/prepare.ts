/**
 * `npm run demo:prepare [DIR]`: the demo workspace without code-server (default .e2e/demo-workspace),
 * for desktop VS Code (F5 "Run SpanTune" opens it) or any VS Code with the packaged .vsix installed.
 */
import * as path from 'node:path';
import { repoRoot, scratchRoot } from '../../e2e/lib/paths';
import { prepareDemoWorkspace } from './workspace';

const target = path.resolve(repoRoot, process.argv[2] ?? path.join(scratchRoot, 'demo-workspace'));
prepareDemoWorkspace(target, { fresh: process.env.SPANTUNE_DEMO_FRESH === '1', log: (line) => console.error(`[demo] ${line}`) }).then(
  () => console.log(target),
  (error: Error) => {
    console.error(`[demo] ${error.message}`);
    process.exit(1);
  },
);

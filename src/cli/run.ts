/**
 * Runs the CLI from its sources, as `node --import tsx src/cli/run.ts <command> ...` (tests, development).
 * Users run the bundle: bin/spantune.js, through dist/cli.js (door.ts).
 */
import { main } from './main';

main(process.argv.slice(2)).then((code) => {
  // A command may have set its own exit code (e.g. 130 for a cancelled run).
  if (code !== 0) process.exitCode = code;
});

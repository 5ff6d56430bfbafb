/**
 * dist/cli.js, the CommonJS door to the CLI: bin/spantune.js requires it and `node dist/cli.js` runs
 * it. The CLI itself is ES modules split by command (dist/cli.mjs and its chunks; see
 * scripts/node-bundles.cjs), which CommonJS can reach only through import().
 */

// Beside this file in dist/; a name in a variable, so that esbuild leaves the import to run time.
const cliBundle = './cli.mjs';

export async function main(argv: string[]): Promise<number> {
  const cli = (await import(cliBundle)) as typeof import('./main');
  return cli.main(argv);
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    // A command may have set its own exit code (e.g. 130 for a cancelled run).
    if (code !== 0) process.exitCode = code;
  });
}

#!/usr/bin/env node
// The `spantune` command: runs the bundled CLI (built by `npm ci` through the `prepare` script).
const { main } = require('../dist/cli.js');

main(process.argv.slice(2)).then((code) => {
  if (code !== 0) process.exitCode = code;
});

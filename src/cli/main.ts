import { isUserError } from '../engine/errors';

import { commandTable as commands } from './command-table';

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `Usage: spantune <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'spantune <command> --help' for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`error: unknown command '${name}'; run 'spantune --help' for the list of commands\n`);
    return 2;
  }
  try {
    const module = await command.load();
    await module.run(rest);
    return 0;
  } catch (error) {
    if (isUserError(error)) {
      // One line, so that it is the last line of stderr whatever the message holds.
      process.stderr.write(`error: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(`spantune ${name} failed unexpectedly: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

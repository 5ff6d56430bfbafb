/** A subcommand: its module is loaded only when the command runs, and exports `run(argv)`. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<void> }>;
}

/** Every `spantune` subcommand. Add one line per command; its module lives in ./commands. */
export const commandTable: Record<string, CommandEntry> = {};

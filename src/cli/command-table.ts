/** A subcommand: its module is loaded only when the command runs, and exports `run(argv)`. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<void> }>;
}

/** Every `spantune` subcommand. Add one line per command; its module lives in ./commands. */
export const commandTable: Record<string, CommandEntry> = {
  evaluate: { summary: 'Score predictions with the official SQuAD v1.1/v2.0 metrics', load: () => import('./commands/evaluate') },
};

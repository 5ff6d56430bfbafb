import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** A value that parseArgs would take for a flag of its own: "-1", "-0.5", "-.5", "-1e-3", "-Infinity". */
const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

/**
 * Joins `--flag -1.5` into `--flag=-1.5` for flags that take a value, so that negative numbers can be
 * written after a space (as argparse accepts them); parseArgs would read "-1.5" as an option.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** Parses a command's flags; an unknown or malformed flag becomes a one-line UserError. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals, strict: true });
  } catch (error) {
    throw new UserError(`spantune ${command}: ${(error as Error).message}`);
  }
}

/** Reads a required string flag. */
export function requireString(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UserError(`spantune ${command}: --${name} is required`);
  return value;
}

export interface NumberRule {
  /** A whole number that doubles hold exactly (at most 2^53 − 1). */
  integer?: boolean;
  /** Smallest value allowed. */
  min?: number;
  /** The value must be larger than this. */
  above?: number;
  /** Largest value allowed. */
  max?: number;
}

/** Parses an optional numeric flag, checking that it is a finite number within its rule. */
export function optionalNumber(command: string, values: Record<string, unknown>, name: string, rule: NumberRule = {}): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const fail = (why: string) => new UserError(`spantune ${command}: --${name} must be ${why}, got '${String(raw)}'`);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) throw fail(rule.integer ? 'an integer' : 'a number');
  if (rule.integer && !Number.isInteger(value)) throw fail('an integer');
  if (rule.min !== undefined && value < rule.min) throw fail(`at least ${rule.min}`);
  if (rule.above !== undefined && value <= rule.above) throw fail(`more than ${rule.above}`);
  const max = rule.max ?? (rule.integer ? Number.MAX_SAFE_INTEGER : undefined);
  if (max !== undefined && value > max) throw fail(`at most ${max}`);
  return value;
}

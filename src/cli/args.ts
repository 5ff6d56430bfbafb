import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../engine/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags; an unknown or malformed flag becomes a one-line UserError. */
export function parseCommandArgs<T extends Options>(command: string, argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
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

/** Parses an optional numeric flag, checking that it is a finite number (and an integer when asked). */
export function optionalNumber(
  command: string,
  values: Record<string, unknown>,
  name: string,
  { integer = false, min }: { integer?: boolean; min?: number } = {},
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new UserError(`spantune ${command}: --${name} must be ${integer ? 'an integer' : 'a number'}, got '${String(raw)}'`);
  }
  if (min !== undefined && value < min) throw new UserError(`spantune ${command}: --${name} must be at least ${min}, got ${value}`);
  return value;
}

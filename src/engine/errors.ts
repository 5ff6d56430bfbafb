/**
 * An error caused by the user's input (a file, a flag, a checkpoint), with a message that names the
 * problem. The CLI prints its message alone on one line and exits with code 2; the extension shows
 * it as is. Anything else thrown is a bug and is reported with its stack.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** By name too: the extension loads some engine modules from bundles of their own, each with its own class. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError || (error instanceof Error && error.name === 'UserError');
}

/** The "SpanTune" output channel (engine log included) and the error reporting every command uses. */
import * as vscode from 'vscode';
import { isUserError } from '../engine/errors';

let channel: vscode.LogOutputChannel | undefined;

export function output(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('SpanTune', { log: true });
  return channel;
}

/** Wraps a command: a UserError is shown as is; anything else is shown and logged with its stack. */
export function guarded<A extends unknown[], R>(name: string, run: (...args: A) => Promise<R> | R): (...args: A) => Promise<R | undefined> {
  return async (...args: A) => {
    try {
      return await run(...args);
    } catch (error) {
      if (isUserError(error)) {
        void vscode.window.showErrorMessage(`SpanTune: ${error.message}`);
      } else {
        output().error(`${name} failed: ${(error as Error)?.stack ?? String(error)}`);
        void vscode.window.showErrorMessage(`SpanTune: ${name} failed: ${(error as Error)?.message ?? String(error)}`, 'Show Log').then((c) => {
          if (c) output().show();
        });
      }
      return undefined;
    }
  };
}

import { UserError } from '../errors';

/** Why a Hub operation failed, so that a caller can react (ask for a token, offer offline mode). */
export type HubErrorKind =
  | 'auth' // 401/403: gated, private, or a token without access
  | 'not-found' // 404: repository, revision or file
  | 'conflict' // 409 on anything but "repository exists"
  | 'rate-limited' // 429 still after the bounded retries
  | 'server' // 5xx still after the bounded retries
  | 'network' // no connection, connection cut beyond the bounded resumes
  | 'integrity' // size or sha256 of a downloaded file differ from what the Hub reported
  | 'offline' // offline mode and the cache lacks what is needed
  | 'bad-request'; // any other 4xx

/** A Hub failure with a message for the user; `status` is the HTTP status when there was one. */
export class HubError extends UserError {
  constructor(
    message: string,
    readonly kind: HubErrorKind,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Replaces every occurrence of the token in a text, so that no message or log ever shows it. */
export function redactToken(text: string, token: string | undefined): string {
  if (!token) return text;
  return text.split(token).join('hf_***');
}

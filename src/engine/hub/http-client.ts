import { Agent, EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher, type RequestInit, type Response } from 'undici';

import { HubError, redactToken } from './errors';

/** Bounded retries for 429 and 5xx answers and for failed connections. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Backoff before retry n is baseDelayMs·2^(n-1), capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is cut to it, so that a 429 never stalls a download for long. */
  maxRetryAfterMs: number;
  /** Waits; replaceable so that tests can record the delays instead of sleeping. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 16_000,
  maxRetryAfterMs: 60_000,
  sleep: abortableSleep,
};

export interface HubClientOptions {
  endpoint: string;
  token?: string;
  /** Proxy URL (VS Code's `http.proxy`, the CLI's HTTPS_PROXY); requests go direct when absent. */
  proxy?: string;
  /** Comma-separated hosts that bypass the proxy (NO_PROXY syntax). */
  noProxy?: string;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
}

/** What a request is about, for error messages. */
export interface RequestContext {
  repoId: string;
  revision?: string;
  file?: string;
}

export interface HubRequest {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Follow 3xx answers (dropping the token when the redirect leaves the Hub's origin). */
  followRedirects: boolean;
  signal?: AbortSignal;
  context: RequestContext;
  /** Statuses returned to the caller instead of thrown (e.g. 416 for a stale partial download). */
  acceptStatuses?: number[];
}

const MAX_REDIRECTS = 10;

/**
 * HTTP to the Hub with its conventions: bearer token only to the Hub's own origin, manual redirects
 * (CDN), bounded retries on 429 (honouring Retry-After) and 5xx, and errors that say what to do.
 */
export class HubClient {
  readonly endpoint: string;
  readonly token?: string;
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;

  constructor(options: HubClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.token = options.token || undefined;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.userAgent = options.userAgent ?? 'spantune/0.1 (+huggingface_hub compatible)';
    this.dispatcher = options.proxy
      ? new EnvHttpProxyAgent({ httpProxy: options.proxy, httpsProxy: options.proxy, noProxy: options.noProxy ?? '' })
      : new Agent();
  }

  /** A `fetch` that goes through this client's proxy, for libraries that accept one. */
  readonly fetch = (input: string | URL, init?: RequestInit): Promise<Response> =>
    undiciFetch(input, { ...init, dispatcher: this.dispatcher });

  /** Closes pooled connections (and the proxy's), so that nothing keeps the process alive. */
  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }

  /** Removes the token from any text before it reaches a message or a log. */
  redact(text: string): string {
    return redactToken(text, this.token);
  }

  /** Sends a request with retries; a non-2xx answer (other than accepted ones) becomes a HubError. */
  async request(url: string, request: HubRequest): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.sendFollowingRedirects(url, request);
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        if (error instanceof HubError) throw error;
        if (attempt >= this.retry.maxAttempts) throw this.networkError(url, error);
        await this.retry.sleep(this.backoff(attempt), request.signal);
        continue;
      }
      if (response.ok || response.status === 304 || request.acceptStatuses?.includes(response.status)) return response;
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.retry.maxAttempts) throw await this.statusError(url, response, request.context);
      const wait = response.status === 429 ? this.retryAfter(response, attempt) : this.backoff(attempt);
      await response.body?.cancel().catch(() => undefined);
      await this.retry.sleep(wait, request.signal);
    }
  }

  private async sendFollowingRedirects(url: string, request: HubRequest): Promise<Response> {
    const hubOrigin = new URL(this.endpoint).origin;
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...request.headers };
      // The CDN must not see the token: send it only to the Hub itself.
      if (this.token && new URL(current).origin === hubOrigin) headers.authorization = `Bearer ${this.token}`;
      const response = await this.fetch(current, {
        method: request.method ?? 'GET',
        headers,
        redirect: 'manual',
        signal: request.signal,
      });
      const location = response.headers.get('location');
      if (!request.followRedirects || response.status < 300 || response.status >= 400 || !location) return response;
      await response.body?.cancel().catch(() => undefined);
      current = new URL(location, current).toString();
    }
    throw new HubError(`too many redirects (more than ${MAX_REDIRECTS}) starting at ${this.redact(url)}`, 'network');
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.baseDelayMs * 2 ** (attempt - 1), this.retry.maxDelayMs);
  }

  /** Retry-After in seconds or as an HTTP date; our own backoff when absent or unreadable. */
  private retryAfter(response: Response, attempt: number): number {
    const header = response.headers.get('retry-after');
    let ms: number | undefined;
    if (header !== null && /^\s*\d+(\.\d+)?\s*$/.test(header)) ms = Number(header) * 1000;
    else if (header !== null && !Number.isNaN(Date.parse(header))) ms = Math.max(0, Date.parse(header) - Date.now());
    return Math.min(ms ?? this.backoff(attempt), this.retry.maxRetryAfterMs);
  }

  private networkError(url: string, error: unknown): HubError {
    const cause = error as { message?: string; cause?: { code?: string; message?: string } };
    const detail = cause?.cause?.code ?? cause?.cause?.message ?? cause?.message ?? String(error);
    return new HubError(
      this.redact(
        `cannot reach ${new URL(url).origin} (${detail}) after ${this.retry.maxAttempts} attempts; ` +
          'check the network or proxy settings, or set HF_HUB_OFFLINE=1 to use only the local cache',
      ),
      'network',
      undefined,
      { cause: error },
    );
  }

  private async statusError(url: string, response: Response, context: RequestContext): Promise<HubError> {
    const code = response.headers.get('x-error-code') ?? '';
    const serverMessage = response.headers.get('x-error-message') ?? (await readErrorBody(response));
    const status = response.status;
    const repo = `'${context.repoId}'`;
    const page = `${this.endpoint}/${context.repoId}`;
    const said = serverMessage ? ` (the Hub said: ${serverMessage})` : '';
    let message: string;
    let kind: HubError['kind'];
    if (status === 401 || status === 403) {
      kind = 'auth';
      if (code === 'RepoNotFound') {
        message = `model repository ${repo} not found on ${this.endpoint}, or it is private: check the id, or provide a token that can read it`;
      } else if (this.token) {
        message =
          `the token was refused for ${repo} (HTTP ${status}): the model is gated or private and this token has no access to it; ` +
          `accept its licence at ${page} with the token's account, or use a token with read access`;
      } else {
        message = `${repo} is a gated or private model (HTTP ${status}): accept its licence at ${page} and provide a Hugging Face access token (for the CLI: HF_TOKEN or --token)`;
      }
    } else if (status === 404) {
      kind = 'not-found';
      if (code === 'RevisionNotFound') message = `revision '${context.revision}' not found in ${repo}`;
      else if (code === 'EntryNotFound' || (context.file && code !== 'RepoNotFound'))
        message = `file '${context.file}' not found in ${repo} at revision '${context.revision}'`;
      else message = `model repository ${repo} not found on ${this.endpoint}: check the id (organisation/name)`;
    } else if (status === 429) {
      kind = 'rate-limited';
      message = `the Hub is rate-limiting requests (HTTP 429) and still was after ${this.retry.maxAttempts} attempts; wait a few minutes and try again, or use a token (authenticated limits are higher)`;
    } else if (status >= 500) {
      kind = 'server';
      message = `the Hub answered HTTP ${status} for ${url} ${this.retry.maxAttempts} times; it may be down, try again later`;
    } else if (status === 409) {
      kind = 'conflict';
      message = `conflict (HTTP 409) for ${repo}`;
    } else {
      kind = 'bad-request';
      message = `the Hub refused the request for ${repo} with HTTP ${status}`;
    }
    return new HubError(this.redact(message + said), kind, status);
  }
}

/** The `error` field of a JSON error body, or a short text body; never more than a line. */
async function readErrorBody(response: Response): Promise<string> {
  try {
    const text = (await response.text()).trim();
    if (!text) return '';
    try {
      const json = JSON.parse(text) as { error?: unknown; message?: unknown };
      const value = json.error ?? json.message;
      if (typeof value === 'string') return value.slice(0, 300);
    } catch {
      // not JSON: fall through to the raw text
    }
    return text.split('\n')[0]!.slice(0, 300);
  } catch {
    return '';
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

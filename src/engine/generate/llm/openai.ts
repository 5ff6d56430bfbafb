/**
 * An OpenAI-compatible chat completions endpoint (OpenAI, Ollama, llama.cpp's server, vLLM, LM
 * Studio...) as a ChatBackend. Rate limits (429, honouring Retry-After), server errors (5xx) and
 * timeouts are retried a few times; a refusal of access (401/403), a wrong address (404) or a reply
 * that is not a chat completion stops generation with a message that says what to check. The API key
 * goes only into the Authorization header: no message, log or error ever holds it.
 */
import { UserError } from '../../errors';
import { LanguageModelError, type ChatBackend, type ChatReply, type ChatRequest } from './chat';

export interface OpenAiChatOptions {
  /** The API's base URL (e.g. http://127.0.0.1:11434/v1) or its full …/chat/completions URL. */
  endpoint: string;
  model: string;
  apiKey?: string;
  /** Where the key comes from, named in the message when the endpoint refuses it. */
  apiKeySource?: string;
  /** Longest wait for one reply (default 120 s). */
  timeoutMs?: number;
  /** Retries of a request after a 429, a 5xx or a timeout (default 3). */
  maxRetries?: number;
  /** Longest Retry-After that is waited for (default 60 s); a longer one stops generation. */
  maxRetryWaitMs?: number;
  /** Wait before the first retry of a 5xx or a timeout, doubled each time (default 1 s). */
  backoffMs?: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The longest delay a Node.js timer keeps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The chat completions URL of an endpoint; a UserError for anything that is not an http(s) URL. */
export function chatCompletionsUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UserError(`the language model endpoint is not a URL: ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`the language model endpoint must be an http(s) URL, got ${url.protocol}`);
  if (!url.pathname.endsWith('/chat/completions')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url;
}

/** The URL as it may be shown: no user name, password or query (which can hold keys). */
export function redactUrl(url: URL): string {
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  return shown.toString();
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type Attempt = { reply: ChatReply } | { retry: string; waitMs?: number };

export class OpenAiChat implements ChatBackend {
  readonly label: string;
  private readonly url: URL;
  private readonly shownUrl: string;
  private jsonMode = true;

  constructor(private readonly options: OpenAiChatOptions) {
    // A timer holds at most 2^31 - 1 ms; a longer one would fire at once (and AbortSignal.timeout throws).
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && !(timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS)) {
      throw new UserError(`the language model timeout must be between 1 ms and ${MAX_TIMER_MS} ms (about 24 days), got ${timeoutMs} ms`);
    }
    this.url = chatCompletionsUrl(options.endpoint);
    this.shownUrl = redactUrl(this.url);
    this.label = `${options.model} at ${this.url.host}`;
    if (options.apiKey && this.url.protocol === 'http:' && !LOOPBACK.has(this.url.hostname)) {
      throw new UserError(`refusing to send the API key over plain http to ${this.url.host}; use https, or no key for a server on this machine`);
    }
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const maxRetries = this.options.maxRetries ?? 3;
    let backoff = this.options.backoffMs ?? 1000;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      const outcome = await this.attempt(request, signal);
      if ('reply' in outcome) return outcome.reply;
      if (attempt >= maxRetries) throw new LanguageModelError(`${this.label} failed ${attempt + 1} times in a row, the last time: ${outcome.retry}`);
      const wait = outcome.waitMs ?? backoff;
      if (wait > (this.options.maxRetryWaitMs ?? 60_000)) {
        throw new LanguageModelError(`${this.label}: ${outcome.retry}, and asks to wait ${Math.ceil(wait / 1000)} s; try again later or lower the request cap`);
      }
      backoff *= 2;
      await sleep(wait, signal);
    }
  }

  private async attempt(request: ChatRequest, signal?: AbortSignal): Promise<Attempt> {
    const timeoutMs = this.options.timeoutMs ?? 120_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const body = {
      model: this.options.model,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
      max_tokens: request.maxTokens,
      temperature: 0.3,
      ...(this.jsonMode ? { response_format: { type: 'json_object' } } : {}),
    };
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) return { retry: `no reply within ${Math.round(timeoutMs / 100) / 10} s` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new LanguageModelError(`cannot reach the language model at ${this.shownUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (status === 200) return { reply: this.readCompletion(text) };
    const detail = this.errorDetail(text);
    if (status === 429) return { retry: `rate limited (HTTP 429${detail})`, waitMs: retryAfterMs(retryAfter) };
    if (status >= 500) return { retry: `HTTP ${status}${detail}` };
    if (status === 400 && this.jsonMode && /response_format|json/i.test(text)) {
      // Some servers know no JSON mode: ask again without it (the prompt asks for JSON anyway).
      this.jsonMode = false;
      return this.attempt(request, signal);
    }
    if (status === 401 || status === 403) {
      throw new LanguageModelError(`${this.label} refused the request (HTTP ${status}${detail}); check the API key${this.options.apiKeySource ? ` in ${this.options.apiKeySource}` : ''}`);
    }
    if (status === 404) {
      throw new LanguageModelError(`HTTP 404 from ${this.shownUrl}${detail}: is it an OpenAI-compatible API (its base URL usually ends in /v1), and does it serve the model "${this.options.model}"?`);
    }
    throw new LanguageModelError(`${this.label} answered HTTP ${status}${detail}`);
  }

  private readCompletion(text: string): ChatReply {
    let completion: {
      choices?: { message?: { content?: string | null; refusal?: string | null }; finish_reason?: string }[];
      usage?: { prompt_tokens?: number; completion_tokens?: number };
    };
    try {
      completion = JSON.parse(text);
    } catch {
      throw new LanguageModelError(`the reply of ${this.shownUrl} is not JSON, so not a chat completion: ${JSON.stringify(this.redact(text.slice(0, 120)))}`);
    }
    const choice = completion.choices?.[0];
    if (!choice?.message) throw new LanguageModelError(`the reply of ${this.shownUrl} has no choices[0].message: not an OpenAI-compatible chat completion`);
    const usage = { promptTokens: completion.usage?.prompt_tokens, completionTokens: completion.usage?.completion_tokens };
    if (choice.message.refusal) return { text: '', refused: choice.message.refusal, ...usage };
    if (choice.finish_reason === 'content_filter') return { text: choice.message.content ?? '', refused: 'stopped by the content filter', ...usage };
    return { text: choice.message.content ?? '', ...usage };
  }

  /** The server's own error message, shortened, for the user: ": message" or "". */
  private errorDetail(text: string): string {
    let message: unknown = text;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
      message = typeof parsed.error === 'string' ? parsed.error : (parsed.error?.message ?? parsed.message ?? text);
    } catch {
      // not JSON: show the text
    }
    const shown = this.redact(String(message).replace(/\s+/g, ' ').trim()).slice(0, 200);
    return shown ? `: ${shown}` : '';
  }

  /** A server that echoes the key must not get it into a message. */
  private redact(text: string): string {
    return this.options.apiKey ? text.split(this.options.apiKey).join('***') : text;
  }
}

/**
 * A local stand-in for an OpenAI-compatible chat completions endpoint, for tests: real HTTP on
 * 127.0.0.1 (a random port). Each request is answered by the next scripted step (the last one
 * repeats): a completion with given content, a refusal, a raw body, an HTTP status with Retry-After,
 * or no answer at all (a stall, for timeouts). Every request is recorded with its body and headers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptStep =
  | { content: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  /** Answers with a reply built from the request (e.g. pairs taken from the passage it was sent). */
  | { reply: (request: RecordedRequest) => string }
  | { refusal: string }
  | { status: number; body?: string; retryAfter?: string }
  | { raw: string }
  | { stall: true };

export interface RecordedRequest {
  path: string;
  authorization?: string;
  body: { model: string; messages: { role: string; content: string }[]; max_tokens?: number; response_format?: unknown };
  /** The passage sent, read back from between the prompt's """ marks. */
  passage: string;
}

export interface FakeOpenAi {
  url: string;
  requests: RecordedRequest[];
  script(steps: ScriptStep[]): void;
  close(): Promise<void>;
}

function completion(content: string | null, extra: Record<string, unknown> = {}, usage?: { prompt_tokens: number; completion_tokens: number }): string {
  return JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content, ...extra }, finish_reason: 'stop' }],
    ...(usage ? { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } } : {}),
  });
}

export async function startFakeOpenAi(steps: ScriptStep[] = []): Promise<FakeOpenAi> {
  let script = steps;
  let next = 0;
  const requests: RecordedRequest[] = [];
  const stalled = new Set<ServerResponse>();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const body = JSON.parse(raw) as RecordedRequest['body'];
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const passage = /"""\n([\s\S]*)\n"""/.exec(user)?.[1] ?? '';
    const recorded: RecordedRequest = { path: request.url ?? '', authorization: request.headers.authorization, body, passage };
    requests.push(recorded);
    const step = script[Math.min(next++, script.length - 1)];
    if (!step) return void response.writeHead(500).end('no script');
    const json = (status: number, text: string, headers: Record<string, string> = {}) =>
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
    if ('stall' in step) {
      stalled.add(response);
      return;
    }
    if ('content' in step) return json(200, completion(step.content, {}, step.usage));
    if ('reply' in step) return json(200, completion(step.reply(recorded)));
    if ('refusal' in step) return json(200, completion(null, { refusal: step.refusal }));
    if ('raw' in step) return json(200, step.raw);
    return json(step.status, step.body ?? JSON.stringify({ error: { message: `scripted ${step.status}` } }), step.retryAfter !== undefined ? { 'retry-after': step.retryAfter } : {});
  };

  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script(steps) {
      script = steps;
      next = 0;
    },
    async close() {
      for (const response of stalled) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A reply that proposes the given question → answer pairs, as the prompt asks. */
export function pairsReply(pairs: [question: string, answer: string][]): string {
  return JSON.stringify({ pairs: pairs.map(([question, answer]) => ({ question, answer })) });
}

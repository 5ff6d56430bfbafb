/**
 * What generation needs from a language model: one prompt in, one reply out. Implemented by an
 * OpenAI-compatible HTTP endpoint (the CLI) and by VS Code's Language Model API (the extension, which
 * answers the engine process's requests over IPC).
 */
import { UserError } from '../../errors';

export interface ChatRequest {
  /** Instructions, sent as the system message where the model has one. */
  system: string;
  user: string;
  /** Most tokens the reply may have. */
  maxTokens: number;
}

export interface ChatReply {
  text: string;
  /** Tokens as the model counted them, when it says; otherwise they are estimated. */
  promptTokens?: number;
  completionTokens?: number;
  /** Set when the model declined to answer (a content filter, a refusal): the passage is skipped. */
  refused?: string;
}

export interface ChatBackend {
  /** Names the model in messages (never holds a key). */
  readonly label: string;
  complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply>;
}

/** The endpoint failed or refused in a way that retrying will not fix: generation stops with this message. */
export class LanguageModelError extends UserError {}

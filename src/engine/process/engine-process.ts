/**
 * The engine process: runs training, prediction and generation jobs for a caller connected over IPC
 * (see protocol.ts). One job runs at a time; requests that arrive meanwhile wait their turn.
 */
import { isUserError } from '../errors';
import { LanguageModelError, type ChatBackend, type ChatReply, type ChatRequest } from '../generate/llm/chat';
import type { EngineEvent, EngineRequest } from './protocol';

function emit(event: EngineEvent): void {
  process.send?.(event);
}

const cancellations = new Map<string, AbortController>();
let queue: Promise<void> = Promise.resolve();

type QueuedRequest = Extract<EngineRequest, { type: 'train' | 'predict' | 'generate' }>;

/** The caller's language model (VS Code's chat models in the extension), asked over IPC. */
class CallerChat implements ChatBackend {
  private static nextId = 0;
  private static readonly pending = new Map<number, { resolve: (reply: ChatReply) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly jobId: string,
    readonly label: string,
  ) {}

  complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const requestId = CallerChat.nextId++;
    return new Promise((resolve, reject) => {
      const abort = () => (CallerChat.pending.delete(requestId), reject(signal?.reason));
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      const settle = <T>(done: (value: T) => void) => (value: T) => (signal?.removeEventListener('abort', abort), done(value));
      CallerChat.pending.set(requestId, { resolve: settle(resolve), reject: settle(reject) });
      emit({ type: 'chatRequest', jobId: this.jobId, requestId, request });
    });
  }

  static answer(message: Extract<EngineRequest, { type: 'chatReply' }>): void {
    const waiter = CallerChat.pending.get(message.requestId);
    CallerChat.pending.delete(message.requestId);
    if (message.reply) waiter?.resolve(message.reply);
    else waiter?.reject(new LanguageModelError(message.error ?? 'the language model gave no reply'));
  }
}

async function runJob(request: QueuedRequest, controller: AbortController): Promise<void> {
  const { jobId } = request;
  const signal = controller.signal;
  try {
    if (signal.aborted) {
      emit({ type: 'cancelled', jobId, step: 0 });
      return;
    }
    if (request.type === 'train') {
      const { runTraining } = await import('../train/trainer');
      await runTraining(request.settings, { jobId, emit, signal });
    } else if (request.type === 'predict') {
      const { runPrediction } = await import('../qa/predict');
      const results = await runPrediction(request.settings, {
        onProgress: (done, total) => emit({ type: 'progress', jobId, done, total, what: 'windows' }),
        onLog: (message) => emit({ type: 'log', level: 'info', message }),
        onDetail: (message) => emit({ type: 'log', level: 'info', message }),
        signal,
      });
      emit({ type: 'predictions', jobId, results });
    } else {
      const { runGeneration } = await import('../generate/run');
      const { chatModel, ...generation } = request.settings;
      const outcome = await runGeneration(generation, chatModel ? new CallerChat(jobId, chatModel.label) : undefined, {
        onProgress: (done, total, stage) => emit({ type: 'progress', jobId, done, total, what: stage ?? 'files' }),
        onLog: (message) => emit({ type: 'log', level: 'info', message }),
        signal,
      });
      emit({ type: 'generated', jobId, outcome });
    }
  } catch (error) {
    if (request.type !== 'train' && signal.aborted) {
      emit({ type: 'cancelled', jobId, step: 0 });
      return;
    }
    const reason = isUserError(error) ? error.message : `${(error as Error)?.stack ?? String(error)}`;
    emit({ type: 'failed', jobId, reason, userError: isUserError(error) });
    // A WebAssembly abort leaves the backend unusable: exit so that the caller starts a fresh engine.
    if (error instanceof WebAssembly.RuntimeError) setImmediate(() => process.exit(70));
  } finally {
    cancellations.delete(jobId);
  }
}

process.on('message', (message: EngineRequest) => {
  switch (message.type) {
    case 'train':
    case 'predict':
    case 'generate': {
      // Registered now, so that a job cancelled while it waits never starts.
      const controller = new AbortController();
      cancellations.set(message.jobId, controller);
      queue = queue.then(() => runJob(message, controller));
      break;
    }
    case 'chatReply':
      CallerChat.answer(message);
      break;
    case 'cancel':
      cancellations.get(message.jobId)?.abort();
      break;
    case 'shutdown':
      process.disconnect?.();
      process.exit(0);
  }
});

// The caller went away: nobody is left to report to.
process.on('disconnect', () => process.exit(0));

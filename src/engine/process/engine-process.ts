/**
 * The engine process: runs training and prediction jobs for a caller connected over IPC (see
 * protocol.ts). One job runs at a time; requests that arrive meanwhile wait their turn.
 */
import { isUserError } from '../errors';
import type { EngineEvent, EngineRequest } from './protocol';

function emit(event: EngineEvent): void {
  process.send?.(event);
}

const cancellations = new Map<string, AbortController>();
let queue: Promise<void> = Promise.resolve();

async function runJob(request: Extract<EngineRequest, { type: 'train' | 'predict' }>, controller: AbortController): Promise<void> {
  try {
    if (controller.signal.aborted) {
      emit({ type: 'cancelled', jobId: request.jobId, step: 0 });
      return;
    }
    if (request.type === 'train') {
      const { runTraining } = await import('../train/trainer');
      await runTraining(request.settings, { jobId: request.jobId, emit, signal: controller.signal });
    } else {
      const { runPrediction } = await import('../qa/predict');
      const results = await runPrediction(request.settings, {
        onProgress: (done, total) => emit({ type: 'progress', jobId: request.jobId, done, total, what: 'windows' }),
        onLog: (message) => emit({ type: 'log', level: 'info', message }),
        signal: controller.signal,
      });
      emit({ type: 'predictions', jobId: request.jobId, results });
    }
  } catch (error) {
    const reason = isUserError(error) ? error.message : `${(error as Error)?.stack ?? String(error)}`;
    emit({ type: 'failed', jobId: request.jobId, reason, userError: isUserError(error) });
    // A WebAssembly abort leaves the backend unusable: exit so that the caller starts a fresh engine.
    if (error instanceof WebAssembly.RuntimeError) setImmediate(() => process.exit(70));
  } finally {
    cancellations.delete(request.jobId);
  }
}

process.on('message', (message: EngineRequest) => {
  switch (message.type) {
    case 'train':
    case 'predict': {
      // Registered now, so that a job cancelled while it waits never starts.
      const controller = new AbortController();
      cancellations.set(message.jobId, controller);
      queue = queue.then(() => runJob(message, controller));
      break;
    }
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

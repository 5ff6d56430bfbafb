/**
 * The event-loop delay of a process standing in for the extension host while the engine process
 * trains (part of `npm run bench:train`). This process starts the engine process as the extension
 * does (EngineClient, below-normal priority, from source here), receives its events and measures its
 * own event-loop delay (monitorEventLoopDelay, 10 ms resolution, as the training controller does):
 * first with nothing running, as the machine's baseline, then from the run's start to its end.
 * Prints one JSON line. Usage: node --import tsx bench/train-host.ts SHAPE BATCH STEPS
 */
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { EngineClient, priorityBelowThisProcess } from '../src/engine/process/client';
import type { EngineEvent } from '../src/engine/process/protocol';
import { writeData } from './train-run';
import { SHAPES, writeRandomBert } from './random-model';
import { scratchFolder } from './scratch';

const BASELINE_SECONDS = 20;

const milliseconds = (h: IntervalHistogram) => ({
  p50: +(h.percentile(50) / 1e6).toFixed(1), p99: +(h.percentile(99) / 1e6).toFixed(1), max: +(h.max / 1e6).toFixed(1),
});

async function main() {
  const [shapeKey, batchText, stepsText] = process.argv.slice(2) as [string, string, string];
  const shape = SHAPES[shapeKey]!;
  const batch = Number(batchText);
  const steps = Number(stepsText);
  const folder = scratchFolder('host');
  const data = writeData(folder);
  const modelDir = await writeRandomBert(shape);

  const load = +loadavg()[0]!.toFixed(1);
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, BASELINE_SECONDS * 1000));
  idle.disable();

  const during = monitorEventLoopDelay({ resolution: 10 });
  let engine = '';
  let stepEvents = 0;
  const ended = new Promise<EngineEvent>((resolve) => {
    const client = new EngineClient({
      enginePath: path.resolve(__dirname, '../src/engine/process/engine-process.ts'),
      execArgv: ['--import', 'tsx'],
      priority: priorityBelowThisProcess(),
      onEvent: (event) => {
        if (event.type === 'started') engine = `${event.backend.name} ${event.backend.provider ?? ''}`.trim();
        if (event.type === 'step') stepEvents++;
        if (event.type === 'finished' || event.type === 'failed' || event.type === 'cancelled') {
          client.dispose();
          resolve(event);
        }
      },
    });
    during.enable();
    client.train({
      modelDir, trainFile: data.train, validationFile: data.validation, outputDir: path.join(folder, 'out'),
      epochs: 1, maxSteps: steps, batchSize: batch, learningRate: 3e-5, warmupRatio: 0, weightDecay: 0.01, maxGradNorm: 1,
      seed: 1, maxSeqLength: 384, docStride: 128, maxQueryLength: 64, version2WithNegative: false,
    });
  });
  const end = await ended;
  during.disable();
  if (end.type !== 'finished') throw new Error(`the run ended ${end.type}: ${'reason' in end ? end.reason : ''}`);
  console.log(JSON.stringify({
    engine, model: shape.name, seq: 384, batch, steps: stepEvents, load_before: load,
    event_loop_delay_ms: { idle: milliseconds(idle), training: milliseconds(during) },
  }));
}
main();

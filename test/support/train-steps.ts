/**
 * Child-process half of the trainer checks that need a fresh process: runs two steps of the tiny
 * fixture model with the default backend on PROVIDER (dropout on) and prints, as JSON, the engine that
 * ran, the steps' losses and gradient norms, and every loaded module whose path names @tensorflow.
 * Usage: node --import tsx test/support/train-steps.ts TRAIN.json OUTPUT_DIR [cpu|webgpu]
 */
import path from 'node:path';
import type { EngineEvent, ProviderName } from '../../src/engine/process/protocol';
import { runTraining } from '../../src/engine/train/trainer';

const tinyBertDir = path.resolve(__dirname, '../../../shared/fixtures/models/tiny-bert-qa');

async function main() {
  const [trainFile, outputDir, provider] = process.argv.slice(2) as [string, string, ProviderName | undefined];
  let backend: unknown;
  const steps: { loss: number; gradNorm: number }[] = [];
  await runTraining(
    {
      modelDir: tinyBertDir, trainFile, outputDir, validationSplit: 0.5, epochs: 1, maxSteps: 2, batchSize: 2, learningRate: 1e-3, warmupRatio: 0,
      weightDecay: 0.01, maxGradNorm: 1, seed: 1, dropout: 0.1, maxSeqLength: 64, docStride: 32, maxQueryLength: 32, version2WithNegative: false, provider,
    },
    {
      jobId: 'steps', signal: new AbortController().signal,
      emit: (e: EngineEvent) => {
        if (e.type === 'started') backend = e.backend;
        if (e.type === 'step') steps.push({ loss: e.loss, gradNorm: e.gradNorm });
      },
    },
  );
  const tensorflow = Object.keys(require.cache).filter((file) => file.includes('@tensorflow'));
  process.stdout.write(`\n${JSON.stringify({ backend, steps, tensorflow })}\n`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Child-process half of the check that the ONNX Runtime training path never loads TensorFlow.js: runs
 * a short training of the tiny fixture model with the default backend and prints, as JSON, the engine
 * that ran and every loaded module whose path names @tensorflow.
 * Usage: node --import tsx test/support/train-without-tfjs.ts TRAIN.json OUTPUT_DIR
 */
import path from 'node:path';
import type { EngineEvent } from '../../src/engine/process/protocol';
import { runTraining } from '../../src/engine/train/trainer';
const tinyBertDir = path.resolve(__dirname, '../../../shared/fixtures/models/tiny-bert-qa');

async function main() {
  const [trainFile, outputDir] = process.argv.slice(2) as [string, string];
  let backend: unknown;
  await runTraining(
    {
      modelDir: tinyBertDir, trainFile, outputDir, validationSplit: 0.5, epochs: 1, maxSteps: 2, batchSize: 2, learningRate: 1e-3, warmupRatio: 0,
      weightDecay: 0.01, maxGradNorm: 1, seed: 1, dropout: 0.1, maxSeqLength: 64, docStride: 32, maxQueryLength: 32, version2WithNegative: false,
    },
    { jobId: 'no-tfjs', signal: new AbortController().signal, emit: (e: EngineEvent) => e.type === 'started' && (backend = e.backend) },
  );
  const tensorflow = Object.keys(require.cache).filter((file) => file.includes('@tensorflow'));
  process.stdout.write(`\n${JSON.stringify({ backend, tensorflow })}\n`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

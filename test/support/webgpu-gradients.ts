/**
 * Child-process half of the WebGPU gradient check (see webgpu.ts): measures the training graph's
 * gradients of one small model on the WebGPU provider and prints the measurements as JSON.
 * Usage: node --import tsx test/support/webgpu-gradients.ts bert|distilbert
 */
import { withDropout } from '../../src/engine/train/dropout';
import { measureGradients, randomWeights, webGpuCase } from './gradient-probes';

async function main() {
  const { config, seed, dropout } = webGpuCase(process.argv[2]!);
  const m = await measureGradients(withDropout(config, dropout), randomWeights(config, seed), { provider: 'webgpu', perParameter: 1, dropout, keepGradients: true });
  process.stdout.write(`\n${JSON.stringify(m)}\n`);
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});

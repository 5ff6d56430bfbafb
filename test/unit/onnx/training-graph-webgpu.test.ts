/**
 * The training graph's gradient checks (see training-graph.test.ts) on ONNX Runtime's WebGPU provider,
 * run here on the CPU through SwiftShader with tiny BERT and DistilBERT models, dropout masks fed: the
 * same finite-difference assertions, and the gradients equal to the CPU provider's. Fails (does not
 * skip) where SwiftShader is missing.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { parameterSpecs } from '../../../src/engine/checkpoint/parameters';
import { isTrainable } from '../../../src/engine/onnx/training-graph';
import { withDropout } from '../../../src/engine/train/dropout';
import { gradientFailures, measureGradients, randomWeights, webGpuCase, type Measurements } from '../../support/gradient-probes';
import { runOnSwiftShader } from '../../support/webgpu';

const child = path.join(__dirname, '../../support/webgpu-gradients.ts');

describe('training graph gradients on the WebGPU provider (SwiftShader)', () => {
  for (const name of ['bert', 'distilbert']) {
    test(`tiny ${name}`, async () => {
      const { config, seed, dropout } = webGpuCase(name);
      const webgpu = await runOnSwiftShader<Measurements>(child, [name], 8 * 60_000);
      const trainable = parameterSpecs(config).map((s) => s.name).filter((n) => isTrainable(config, n));
      assert.deepEqual(gradientFailures(webgpu, trainable), [], `loss ${webgpu.loss}`);

      const cpu = await measureGradients(withDropout(config, dropout), randomWeights(config, seed), { provider: 'cpu', perParameter: 1, dropout, keepGradients: true });
      assert.ok(Math.abs(webgpu.loss - cpu.loss) < 1e-5, `loss: WebGPU ${webgpu.loss}, CPU ${cpu.loss}`);
      // Every entry of every gradient, within 1e-5 of the largest gradient entry.
      const scale = Math.max(...Object.values(cpu.gradients!).flat().map(Math.abs));
      for (const [weight, values] of Object.entries(cpu.gradients!)) {
        const other = webgpu.gradients![weight]!;
        const worst = Math.max(...values.map((v, i) => Math.abs(v - other[i]!)));
        assert.ok(worst <= 1e-5 * scale, `${weight}: max |WebGPU − CPU| ${worst} (largest gradient entry ${scale})`);
      }
    });
  }
});

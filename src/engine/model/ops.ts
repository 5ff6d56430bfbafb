/**
 * The building blocks of a BERT-family encoder, written so that every gradient runs on the fast
 * paths of TensorFlow.js's WebAssembly backend: XNNPACK only handles untransposed 2-D matmuls, and the
 * stock gradients of gather and matMul fall to slow or missing kernels there (see
 * shared/notes/engine-on-this-machine.md). Numerics follow PyTorch's `nn.Linear`, `nn.LayerNorm`,
 * `nn.Embedding` and erf-GELU.
 */
import * as tf from '@tensorflow/tfjs';
import { fillDropoutMask } from '../train/dropout';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/**
 * A differentiable op with a hand-written gradient. `forward` returns the op's value and the tensors
 * its gradient needs; everything else it creates is freed at once. The gradient's temporaries are freed
 * when it returns too: tfjs would otherwise keep them until the whole backward pass ends.
 */
export function customOp(
  forward: (inputs: tf.Tensor[]) => { value: tf.Tensor; saved: tf.Tensor[] },
  gradient: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[],
) {
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [value, ...saved] = tf.tidy(() => {
      const out = forward(args as tf.Tensor[]);
      return [out.value, ...out.saved];
    });
    save(saved);
    const gradFunc: GradFunc = (dy, savedTensors) => tf.tidy(() => gradient(dy, savedTensors));
    return { value: value!, gradFunc };
  }) as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => op(...inputs);
}

/** y = x·W + b for x [N, in], W [in, out] (Hugging Face's [out, in] weight, stored transposed). */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return linearWithGrad(x, weight, bias) as tf.Tensor2D;
}

// Gradients transpose explicitly and then multiply untransposed, which XNNPACK runs ~3-8x faster
// than the transposed matmuls autodiff would produce.
const linearWithGrad = customOp(
  ([x, weight, bias]) => ({ value: tf.add(tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D), bias!), saved: [x!, weight!] }),
  (dy, [x, weight]) => {
    const dy2 = dy as tf.Tensor2D;
    const dx = tf.matMul(dy2, tf.transpose(weight as tf.Tensor2D));
    const dWeight = tf.matMul(tf.transpose(x as tf.Tensor2D), dy2);
    return [dx, dWeight, tf.sum(dy2, 0)];
  },
);

/**
 * Rows of `table` [V, H] at `ids`; the gradient scatters back with scatterND, which sums repeated ids.
 * As `nn.Embedding(padding_idx=...)`, the row of `paddingIdx` receives no gradient.
 */
export function embeddingLookup(table: tf.Tensor2D, ids: tf.Tensor1D, paddingIdx = -1): tf.Tensor2D {
  return embeddingOp(paddingIdx)(table, ids) as tf.Tensor2D;
}

const embeddingOps = new Map<number, ReturnType<typeof customOp>>();

function embeddingOp(paddingIdx: number) {
  let op = embeddingOps.get(paddingIdx);
  if (!op) {
    op = customOp(
      ([table, ids]) => ({ value: tf.gather(table!, ids as tf.Tensor1D), saved: [ids!, tf.tensor1d([table!.shape[0]!], 'int32')] }),
      (dy, [ids, rowCount]) => {
        const rows = rowCount!.dataSync()[0]!;
        const kept = paddingIdx < 0 ? dy : tf.mul(dy, tf.reshape(tf.cast(tf.notEqual(ids!, paddingIdx), 'float32'), [-1, 1]));
        const dTable = tf.scatterND(tf.reshape(ids!, [-1, 1]), kept, [rows, dy.shape[1]!]);
        return [dTable, tf.zerosLike(ids!)];
      },
    );
    embeddingOps.set(paddingIdx, op);
  }
  return op;
}

/** LayerNorm over the last axis with PyTorch's biased variance. */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(normalised, gamma), beta) as tf.Tensor2D;
  });
}

export type Activation = 'gelu' | 'gelu_new' | 'relu';

export function activate(x: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'gelu': // erf form, as torch.nn.functional.gelu
      return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as tf.Tensor2D);
    case 'gelu_new': // tanh approximation
      return tf.tidy(() => {
        const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner))) as tf.Tensor2D;
      });
    case 'relu':
      return tf.relu(x);
  }
}

/**
 * The mask of inverted dropout (see fillDropoutMask): 0 where a value is dropped, 1/(1-rate) where it
 * is kept. The same seed gives the same mask on every backend and on ONNX Runtime.
 */
export function dropoutMask(shape: number[], rate: number, seed: number | undefined): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(fillDropoutMask(new Float32Array(size), rate, seed ?? Math.floor(Math.random() * 2 ** 32)), shape, 'float32');
}

/** Inverted dropout as torch's: kept values are scaled by 1/(1-rate). `seed` makes the mask reproducible. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  if (rate <= 0) return x;
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, rate, seed)) as T);
}

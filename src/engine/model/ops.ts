/**
 * The building blocks of a BERT-family encoder, written so that every gradient runs on the fast
 * paths of TensorFlow.js's WebAssembly backend: XNNPACK only handles untransposed 2-D matmuls, and the
 * stock gradients of gather and matMul fall to slow or missing kernels there (see
 * shared/notes/engine-on-this-machine.md). Numerics follow PyTorch's `nn.Linear`, `nn.LayerNorm`,
 * `nn.Embedding` and erf-GELU.
 */
import * as tf from '@tensorflow/tfjs';

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];

/** A differentiable op with a hand-written gradient; `body` receives its tensor inputs and `save`. */
export function customOp(body: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }) {
  const op = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return body(args as tf.Tensor[], save);
  }) as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => op(...inputs);
}

/** y = x·W + b for x [N, in], W [in, out] (Hugging Face's [out, in] weight, stored transposed). */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D): tf.Tensor2D {
  return linearWithGrad(x, weight, bias) as tf.Tensor2D;
}

// Gradients transpose explicitly and then multiply untransposed, which XNNPACK runs ~3-8x faster
// than the transposed matmuls autodiff would produce.
const linearWithGrad = customOp(([x, weight, bias], save) => {
  save([x!, weight!]);
  const value = tf.add(tf.matMul(x as tf.Tensor2D, weight as tf.Tensor2D), bias!);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [savedX, savedWeight] = saved as [tf.Tensor2D, tf.Tensor2D];
    const dy2 = dy as tf.Tensor2D;
    const dx = tf.matMul(dy2, tf.transpose(savedWeight));
    const dWeight = tf.matMul(tf.transpose(savedX), dy2);
    const dBias = tf.sum(dy2, 0);
    return [dx, dWeight, dBias];
  };
  return { value, gradFunc };
});

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
    op = customOp(([table, ids], save) => {
      save([ids!]);
      const [rows] = table!.shape as [number, number];
      const value = tf.gather(table!, ids as tf.Tensor1D);
      const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedIds] = saved as [tf.Tensor1D];
        const kept = paddingIdx < 0 ? dy : tf.mul(dy, tf.reshape(tf.cast(tf.notEqual(savedIds, paddingIdx), 'float32'), [-1, 1]));
        const dTable = tf.scatterND(tf.reshape(savedIds, [-1, 1]), kept, [rows, dy.shape[1]!]);
        return [dTable, tf.zerosLike(savedIds)];
      };
      return { value, gradFunc };
    });
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

/** Inverted dropout as torch's: kept values are scaled by 1/(1-rate). `seed` makes the mask reproducible. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  if (rate <= 0) return x;
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), 'float32');
    return tf.mul(x, tf.mul(keep, 1 / (1 - rate))) as T;
  });
}

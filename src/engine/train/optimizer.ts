/**
 * AdamW with the arithmetic of `torch.optim.AdamW` (single-tensor path, the one torch uses for CPU
 * tensors), updating one parameter at a time so that the peak memory is a few full-size temporaries of
 * the largest parameter (three beside p, g, m, v), not ~11 per parameter as tfjs's own Adam keeps
 * inside one tidy.
 *
 * Per parameter with a gradient, at its own step t (counted per parameter, as torch's state['step']):
 *   p ← p·(1 − lr·wd)                       (decoupled decay, whole tensor)
 *   m ← m + (1 − β1)·(g − m)                (torch's lerp_, same as β1·m + (1 − β1)·g)
 *   v ← β2·v + ((1 − β2)·g)·g               (addcmul_)
 *   denom = sqrt(v) / sqrt(1 − β2^t) + ε
 *   p ← p + ((−lr / (1 − β1^t))·m) / denom  (addcdiv_)
 * Scalars are computed in doubles and applied as float32, and each tensor operation is a float32
 * operation in the same order as torch's CPU kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { adamWHyperparameters, checkAdamWState, newAdamWSlots, type AdamWOptions, type AdamWParameterState, type AdamWSlot, type AdamWState } from './adamw-state';

export { appliesWeightDecay, type AdamWOptions, type AdamWParameterState, type AdamWState } from './adamw-state';

export interface NamedParameter {
  /** Hugging Face tensor name, e.g. `bert.encoder.layer.0.attention.self.query.weight`. */
  name: string;
  variable: tf.Variable;
}

type Slot = AdamWSlot<NamedParameter, tf.Tensor>;

/** Returns `result` after disposing `inputs` (written so that `result` is computed first). */
function consume<T extends tf.Tensor>(inputs: tf.Tensor[], result: T): T {
  for (const input of inputs) input.dispose();
  return result;
}

// Tensor-by-scalar operations; the scalar is float32, as torch converts a Python float for a float tensor.
function mulScalar(x: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.scalar(s, 'float32')));
}
function divScalar(x: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.scalar(s, 'float32')));
}
function addScalar(x: tf.Tensor, s: number): tf.Tensor {
  return tf.tidy(() => tf.add(x, tf.scalar(s, 'float32')));
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly slots: Map<string, Slot>;

  constructor(parameters: readonly NamedParameter[], options: AdamWOptions = {}) {
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay } = adamWHyperparameters(options));
    for (const parameter of parameters) {
      if (parameter.variable.dtype !== 'float32') throw new Error(`AdamW: parameter ${parameter.name} is ${parameter.variable.dtype}, not float32`);
    }
    this.slots = newAdamWSlots(parameters, options);
  }

  /** Names of the parameters that receive weight decay (for logs and checks). */
  decayedParameterNames(): string[] {
    return [...this.slots.values()].filter((s) => s.decays).map((s) => s.parameter.name);
  }

  /** How many updates this parameter has received (torch's state['step']); 0 before its first gradient. */
  stepOf(name: string): number {
    return this.requireSlot(name).step;
  }

  /**
   * One update at learning rate `learningRate`. A parameter without an entry in `grads` is skipped
   * entirely, as torch skips a parameter whose .grad is None: no decay, no moment update, no step count.
   * The gradients stay owned by the caller.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, learningRate: number): void {
    if (!Number.isFinite(learningRate) || learningRate < 0) throw new RangeError(`Invalid learning rate: ${learningRate}`);
    for (const [name, grad] of grads) {
      const slot = this.requireSlot(name);
      if (!tf.util.arraysEqual(grad.shape, slot.parameter.variable.shape)) {
        throw new Error(`AdamW: gradient of ${name} has shape [${grad.shape}], parameter has [${slot.parameter.variable.shape}]`);
      }
    }
    for (const slot of this.slots.values()) {
      const grad = grads.get(slot.parameter.name);
      if (grad !== undefined) this.updateOne(slot, grad, learningRate);
    }
  }

  private updateOne(slot: Slot, grad: tf.Tensor, lr: number): void {
    const variable = slot.parameter.variable;
    const m = slot.expAvg ?? tf.zerosLike(variable);
    const v = slot.expAvgSq ?? tf.zerosLike(variable);
    slot.step += 1;
    const t = slot.step;
    const weightDecay = slot.decays ? this.weightDecay : 0;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const stepSize = lr / (1 - this.beta1 ** t);

    // One operation at a time, freeing each input as soon as it is used: at most three full-size
    // temporaries beside p, g, m and v (a tidy would hold every intermediate until its end).
    const diff = tf.sub(grad, m);
    const scaledDiff = consume([diff], mulScalar(diff, 1 - this.beta1));
    const newM = consume([scaledDiff, m], tf.add(m, scaledDiff));
    slot.expAvg = newM;

    const decayedV = consume([v], mulScalar(v, this.beta2));
    const scaledGrad = mulScalar(grad, 1 - this.beta2);
    const gradSquared = consume([scaledGrad], tf.mul(scaledGrad, grad));
    const newV = consume([decayedV, gradSquared], tf.add(decayedV, gradSquared));
    slot.expAvgSq = newV;

    const root = tf.sqrt(newV);
    const corrected = consume([root], divScalar(root, biasCorrection2Sqrt));
    const denom = consume([corrected], addScalar(corrected, this.epsilon));
    const scaledM = mulScalar(newM, -stepSize);
    const update = consume([scaledM, denom], tf.div(scaledM, denom));

    // Multiplying by exactly 1 (no decay for this parameter) changes nothing; skip the work.
    const decayed = weightDecay === 0 ? null : mulScalar(variable, 1 - lr * weightDecay);
    const newP = consume(decayed === null ? [update] : [decayed, update], tf.add(decayed ?? variable, update));
    variable.assign(newP);
    newP.dispose(); // the variable keeps its own reference to the data
  }

  /** The state to store in a checkpoint (copies, as Float32Arrays). */
  getState(): AdamWState {
    const parameters: AdamWParameterState[] = [];
    for (const slot of this.slots.values()) {
      if (slot.expAvg === null || slot.expAvgSq === null) continue;
      parameters.push({
        name: slot.parameter.name,
        shape: [...slot.parameter.variable.shape],
        step: slot.step,
        expAvg: Float32Array.from(slot.expAvg.dataSync() as Float32Array),
        expAvgSq: Float32Array.from(slot.expAvgSq.dataSync() as Float32Array),
      });
    }
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, parameters };
  }

  /**
   * Restores state saved by getState (e.g. from a checkpoint). Parameters absent from `state` start
   * fresh. A name or shape that does not fit this model is a UserError naming it.
   */
  setState(state: AdamWState): void {
    checkAdamWState(state, (name) => this.slots.get(name)?.parameter.variable.shape);
    for (const slot of this.slots.values()) {
      slot.expAvg?.dispose();
      slot.expAvgSq?.dispose();
      slot.expAvg = null;
      slot.expAvgSq = null;
      slot.step = 0;
    }
    for (const saved of state.parameters) {
      const slot = this.slots.get(saved.name) as Slot;
      slot.step = saved.step;
      slot.expAvg = tf.tensor(saved.expAvg, saved.shape, 'float32');
      slot.expAvgSq = tf.tensor(saved.expAvgSq, saved.shape, 'float32');
    }
  }

  /** Frees the moment tensors (the parameters belong to the model). */
  dispose(): void {
    for (const slot of this.slots.values()) {
      slot.expAvg?.dispose();
      slot.expAvgSq?.dispose();
      slot.expAvg = null;
      slot.expAvgSq = null;
    }
  }

  private requireSlot(name: string): Slot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new Error(`AdamW: no parameter named ${name}`);
    return slot;
  }
}

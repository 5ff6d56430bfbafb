/**
 * AdamW over Float32Arrays in the engine process, with the arithmetic of `torch.optim.AdamW`
 * (single-tensor path, as torch runs on CPU tensors) and of the TensorFlow.js AdamW in optimizer.ts:
 * each operation a float32 operation (Math.fround) in torch's order, scalars computed in doubles and
 * applied as float32. One pass over each parameter, in place; the global-norm clipping factor is
 * applied to each gradient entry on the way in, as clip_grad_norm_ would have scaled it.
 *
 * Per parameter with a gradient, at its own step t:
 *   p ← p·(1 − lr·wd)                       (decoupled decay)
 *   m ← m + (1 − β1)·(g − m)                (lerp_)
 *   v ← β2·v + ((1 − β2)·g)·g               (mul_, addcmul_)
 *   p ← p + ((−lr / (1 − β1^t))·m) / (sqrt(v) / sqrt(1 − β2^t) + ε)   (addcdiv_)
 *
 * Measured against the same update as an ONNX graph on the CPU provider (npm run bench:optimizer,
 * MiniLM-L6's 22.6M parameters, 2 cores): 0.84 s for the scalar loop against 2.9 s for the graph,
 * which makes a dozen passes over memory and copies every new weight and moment out. So training
 * uses it, with the loop's body run four entries at a time by a SIMD kernel (kernels.ts: 5-7x less
 * CPU time than the scalar loop, the same bits).
 */
import { adamWBulk, type AdamWScalars } from './kernels';
import { adamWHyperparameters, checkAdamWState, newAdamWSlots, type AdamWOptions, type AdamWSlot, type AdamWState } from './adamw-state';

export interface Float32Parameter {
  name: string;
  shape: readonly number[];
  /** Updated in place. */
  data: Float32Array;
}

type Slot = AdamWSlot<Float32Parameter, Float32Array>;

const f = Math.fround;

export class Float32AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly slots: Map<string, Slot>;

  constructor(parameters: readonly Float32Parameter[], options: AdamWOptions = {}) {
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay } = adamWHyperparameters(options));
    this.slots = newAdamWSlots(parameters, options);
  }

  decayedParameterNames(): string[] {
    return [...this.slots.values()].filter((s) => s.decays).map((s) => s.parameter.name);
  }

  stepOf(name: string): number {
    return this.requireSlot(name).step;
  }

  /**
   * One update at `learningRate`, with every gradient entry multiplied by `gradScale` first (the
   * clipping factor; 1 leaves them as they are). A parameter without a gradient is skipped entirely,
   * as torch skips one whose .grad is None.
   */
  step(grads: ReadonlyMap<string, Float32Array>, learningRate: number, gradScale = 1): void {
    if (!Number.isFinite(learningRate) || learningRate < 0) throw new RangeError(`Invalid learning rate: ${learningRate}`);
    for (const [name, grad] of grads) {
      const slot = this.requireSlot(name);
      if (grad.length !== slot.parameter.data.length) throw new Error(`AdamW: gradient of ${name} has ${grad.length} values, the parameter ${slot.parameter.data.length}`);
    }
    for (const slot of this.slots.values()) {
      const grad = grads.get(slot.parameter.name);
      if (grad !== undefined) this.updateOne(slot, grad, learningRate, gradScale);
    }
  }

  private updateOne(slot: Slot, grad: Float32Array, lr: number, gradScale: number): void {
    const p = slot.parameter.data;
    const m = (slot.expAvg ??= new Float32Array(p.length));
    const v = (slot.expAvgSq ??= new Float32Array(p.length));
    slot.step += 1;
    const t = slot.step;
    const s: AdamWScalars = {
      decay: f(1 - lr * (slot.decays ? this.weightDecay : 0)),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      biasCorrection2Sqrt: f(Math.sqrt(1 - this.beta2 ** t)),
      epsilon: f(this.epsilon),
      negStepSize: f(-(lr / (1 - this.beta1 ** t))),
      scale: f(gradScale),
    };
    // The SIMD kernel does all but the last few entries, bit for bit as the loop below.
    const done = adamWBulk(p, grad, m, v, s);
    for (let i = done; i < p.length; i++) {
      const g = f(grad[i]! * s.scale); // a scale or decay of exactly 1 changes nothing
      const mi = f(m[i]! + f(s.oneMinusBeta1 * f(g - m[i]!)));
      const vi = f(f(v[i]! * s.beta2) + f(f(g * s.oneMinusBeta2) * g));
      m[i] = mi;
      v[i] = vi;
      const denom = f(f(f(Math.sqrt(vi)) / s.biasCorrection2Sqrt) + s.epsilon);
      p[i] = f(f(p[i]! * s.decay) + f(f(s.negStepSize * mi) / denom));
    }
  }

  getState(): AdamWState {
    const parameters = [...this.slots.values()]
      .filter((s) => s.expAvg !== null && s.expAvgSq !== null)
      .map((s) => ({ name: s.parameter.name, shape: [...s.parameter.shape], step: s.step, expAvg: Float32Array.from(s.expAvg!), expAvgSq: Float32Array.from(s.expAvgSq!) }));
    return { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay, parameters };
  }

  setState(state: AdamWState): void {
    checkAdamWState(state, (name) => this.slots.get(name)?.parameter.shape);
    for (const slot of this.slots.values()) {
      slot.step = 0;
      slot.expAvg = null;
      slot.expAvgSq = null;
    }
    for (const saved of state.parameters) {
      const slot = this.slots.get(saved.name)!;
      slot.step = saved.step;
      slot.expAvg = Float32Array.from(saved.expAvg);
      slot.expAvgSq = Float32Array.from(saved.expAvgSq);
    }
  }

  private requireSlot(name: string): Slot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new Error(`AdamW: no parameter named ${name}`);
    return slot;
  }
}

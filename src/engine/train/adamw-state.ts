/**
 * What every AdamW of the engine shares (the TensorFlow.js one in optimizer.ts, the Float32Array one
 * in adamw-float32.ts): its options, Hugging Face Trainer's weight-decay rule, the state a checkpoint
 * stores, and the checks a restored state must pass. No runtime is loaded here.
 */
import { UserError } from '../errors';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay for the parameters that `appliesDecay` selects (default 0.01). */
  weightDecay?: number;
  /** Which parameters are decayed; default: Hugging Face Trainer's rule, `appliesWeightDecay`. */
  appliesDecay?: (name: string) => boolean;
}

/** One parameter's saved state: torch's state['step'], state['exp_avg'], state['exp_avg_sq']. */
export interface AdamWParameterState {
  name: string;
  shape: number[];
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

export interface AdamWState {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Only parameters that have received a gradient at least once have state, as in torch. */
  parameters: AdamWParameterState[];
}

/**
 * Hugging Face Trainer's rule (`get_decay_parameter_names`): no decay for biases and for every
 * parameter of a LayerNorm module. BERT names those modules `LayerNorm`; DistilBERT also has
 * `sa_layer_norm` and `output_layer_norm`; recent transformers also match "layernorm"/"rmsnorm" in the
 * lower-cased name. Embeddings (word rows, padding row included) and the QA head are decayed.
 */
export function appliesWeightDecay(name: string): boolean {
  const lower = name.toLowerCase();
  return !['bias', 'layernorm', 'layer_norm', 'rmsnorm'].some((part) => lower.includes(part));
}

/** Checks a saved state against the model's parameter shapes; a name or shape that does not fit is a UserError naming it. */
export function checkAdamWState(state: AdamWState, shapeOf: (name: string) => readonly number[] | undefined): void {
  const seen = new Set<string>();
  for (const saved of state.parameters) {
    const shape = shapeOf(saved.name);
    if (shape === undefined) throw new UserError(`optimizer state: parameter ${saved.name} is not in this model`);
    if (seen.has(saved.name)) throw new UserError(`optimizer state: parameter ${saved.name} appears twice`);
    seen.add(saved.name);
    const size = shape.reduce((a, b) => a * b, 1);
    if (saved.shape.length !== shape.length || saved.shape.some((d, i) => d !== shape[i])) {
      throw new UserError(`optimizer state: parameter ${saved.name} has shape [${saved.shape}], the model has [${shape}]`);
    }
    if (saved.expAvg.length !== size || saved.expAvgSq.length !== size) {
      throw new UserError(`optimizer state: parameter ${saved.name} has ${saved.expAvg.length}/${saved.expAvgSq.length} moment values, expected ${size}`);
    }
    if (!Number.isInteger(saved.step) || saved.step < 1) {
      throw new UserError(`optimizer state: parameter ${saved.name} has step ${saved.step}, expected an integer ≥ 1`);
    }
  }
}

/** One parameter's optimizer slot: its decay group, torch's step count and moments (tensors or arrays). */
export interface AdamWSlot<Parameter, Moment> {
  parameter: Parameter;
  decays: boolean;
  step: number;
  expAvg: Moment | null;
  expAvgSq: Moment | null;
}

/** A fresh slot per parameter, decayed as `options.appliesDecay` says (Hugging Face's rule by default); a name given twice is refused. */
export function newAdamWSlots<Parameter extends { name: string }, Moment>(parameters: readonly Parameter[], options: AdamWOptions): Map<string, AdamWSlot<Parameter, Moment>> {
  const appliesDecay = options.appliesDecay ?? appliesWeightDecay;
  const slots = new Map<string, AdamWSlot<Parameter, Moment>>();
  for (const parameter of parameters) {
    if (slots.has(parameter.name)) throw new Error(`AdamW: parameter ${parameter.name} given twice`);
    slots.set(parameter.name, { parameter, decays: appliesDecay(parameter.name), step: 0, expAvg: null, expAvgSq: null });
  }
  return slots;
}

/** The hyperparameters with torch's defaults, checked as torch's constructor checks them. */
export function adamWHyperparameters(options: AdamWOptions): { beta1: number; beta2: number; epsilon: number; weightDecay: number } {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`Invalid beta1: ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`Invalid beta2: ${beta2}`);
  if (!(epsilon >= 0)) throw new RangeError(`Invalid epsilon: ${epsilon}`);
  if (!(weightDecay >= 0)) throw new RangeError(`Invalid weight decay: ${weightDecay}`);
  return { beta1, beta2, epsilon, weightDecay };
}

/**
 * A small builder of ONNX graphs on top of `onnx-proto` (the protobufjs types of onnx.proto), so that
 * model code reads like the maths: `g.matMul(probs, value)` returns the name of the new value.
 *
 * Values are tensor names. Every intermediate is named after the scope it was made in and a hint,
 * e.g. `bert.encoder.layer.0.attention.self/attention_scores`, so that a graph viewer (Netron) or an
 * error from ONNX Runtime points at the block and the line that made it.
 */
import { onnx } from 'onnx-proto';

/** The name of a tensor in the graph. */
export type Value = string;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;
export type ElementType = typeof FLOAT | typeof INT64;

/** A dimension: a fixed size, or the name of a dynamic axis ('batch', 'sequence'). */
export type Dim = number | string;

/** Attribute values: a number is an INT (wrap floats with `float()`), an array INTS. */
type AttributeValue = number | number[] | string | { float: number };

/** Marks an attribute value as FLOAT (a plain number is an INT attribute). */
export const float = (value: number) => ({ float: value });

/** The opset the graphs target: LayerNormalization is a standard op from 17 on. */
export const OPSET = 17;
/** IR version 8 goes with opset 17 (ONNX 1.12+). */
const IR_VERSION = 8;

export interface ModelOptions {
  name: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly scopes: string[] = [];
  private readonly used = new Map<string, number>();
  private readonly constants = new Map<string, Value>();

  /** Runs `body` with names made inside it prefixed by `name` (nested scopes join with '.'). */
  scope<T>(name: string, body: () => T): T {
    this.scopes.push(name);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** A fresh, unique value name for `hint` in the current scope. */
  private fresh(hint: string): Value {
    const base = this.scopes.length > 0 ? `${this.scopes.join('.')}/${hint}` : hint;
    const count = this.used.get(base) ?? 0;
    this.used.set(base, count + 1);
    return count === 0 ? base : `${base}_${count}`;
  }

  /** Adds one node; returns its outputs' names (made from `hints`). */
  node(opType: string, inputs: Value[], hints: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): Value[] {
    const outputs = hints.map((hint) => this.fresh(hint));
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        domain,
        name: `${outputs[0]}:${opType}`,
        input: inputs,
        output: outputs,
        attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
      }),
    );
    return outputs;
  }

  /** A node with one output. */
  op(opType: string, inputs: Value[], hint: string, attributes: Record<string, AttributeValue> = {}): Value {
    return this.node(opType, inputs, [hint], attributes)[0]!;
  }

  // Graph interface.

  input(name: string, elementType: ElementType, dims: Dim[]): Value {
    this.inputs.push(valueInfo(name, elementType, dims));
    return name;
  }

  /** Declares `value` as a graph output under `name` (through an Identity when the names differ). */
  output(value: Value, name: string, elementType: ElementType, dims: Dim[]): Value {
    if (value !== name) this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', name: `${name}:Identity`, input: [value], output: [name] }));
    this.outputs.push(valueInfo(name, elementType, dims));
    return name;
  }

  /** A float32 initializer (a weight) under its own name. */
  initializer(name: string, dims: number[], data: Float32Array): Value {
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  /** A constant tensor, shared between all uses of the same values. */
  constant(values: readonly number[], dims: number[], elementType: ElementType = FLOAT): Value {
    const key = `${elementType}:${dims.join('x')}:${values.join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_${this.constants.size}`;
    this.initializers.push(elementType === FLOAT ? floatTensor(name, dims, Float32Array.from(values)) : int64Tensor(name, dims, values));
    this.constants.set(key, name);
    return name;
  }

  /** A float32 scalar constant. */
  scalar(value: number): Value {
    return this.constant([value], []);
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: readonly number[]): Value {
    return this.constant(values, [values.length], INT64);
  }

  // Operators, named as in the ONNX specification.

  add(a: Value, b: Value, hint = 'add'): Value {
    return this.op('Add', [a, b], hint);
  }
  sub(a: Value, b: Value, hint = 'sub'): Value {
    return this.op('Sub', [a, b], hint);
  }
  mul(a: Value, b: Value, hint = 'mul'): Value {
    return this.op('Mul', [a, b], hint);
  }
  div(a: Value, b: Value, hint = 'div'): Value {
    return this.op('Div', [a, b], hint);
  }
  matMul(a: Value, b: Value, hint = 'matmul'): Value {
    return this.op('MatMul', [a, b], hint);
  }
  transpose(x: Value, perm: number[], hint = 'transpose'): Value {
    return this.op('Transpose', [x], hint, { perm });
  }
  /** Reshape to `shape`; a 0 keeps that dimension of the input, a -1 is inferred. */
  reshape(x: Value, shape: number[], hint = 'reshape'): Value {
    return this.op('Reshape', [x, this.ints(shape)], hint);
  }
  unsqueeze(x: Value, axes: number[], hint = 'unsqueeze'): Value {
    return this.op('Unsqueeze', [x, this.ints(axes)], hint);
  }
  squeeze(x: Value, axes: number[], hint = 'squeeze'): Value {
    return this.op('Squeeze', [x, this.ints(axes)], hint);
  }
  softmax(x: Value, axis: number, hint = 'softmax'): Value {
    return this.op('Softmax', [x], hint, { axis });
  }
  erf(x: Value, hint = 'erf'): Value {
    return this.op('Erf', [x], hint);
  }
  tanh(x: Value, hint = 'tanh'): Value {
    return this.op('Tanh', [x], hint);
  }
  relu(x: Value, hint = 'relu'): Value {
    return this.op('Relu', [x], hint);
  }
  cast(x: Value, to: ElementType, hint = 'cast'): Value {
    return this.op('Cast', [x], hint, { to });
  }
  /** Rows of `table` at `indices` (embedding lookup). */
  gather(table: Value, indices: Value, hint = 'gather', axis = 0): Value {
    return this.op('Gather', [table, indices], hint, { axis });
  }
  /** x[starts:ends] along `axes`; starts/ends are values (1-D int64). */
  slice(x: Value, starts: Value, ends: Value, axes: number[], hint = 'slice'): Value {
    return this.op('Slice', [x, starts, ends, this.ints(axes)], hint);
  }
  /** x as a matrix [product of the dimensions before `axis`, product of the rest]. */
  flatten(x: Value, axis: number, hint = 'flatten'): Value {
    return this.op('Flatten', [x], hint, { axis });
  }
  /** Dimensions [start, end) of x's shape, as a 1-D int64 value. */
  shape(x: Value, start: number, end: number, hint = 'shape'): Value {
    return this.op('Shape', [x], hint, { start, end });
  }
  split(x: Value, axis: number, sizes: number[], hints: string[]): Value[] {
    return this.node('Split', [x, this.ints(sizes)], hints, { axis });
  }
  /** A·B (or Aᵀ·B, A·Bᵀ) of 2-D matrices, as Gemm with its transpose flags. */
  gemm(a: Value, b: Value, options: { transA?: boolean; transB?: boolean } = {}, hint = 'gemm'): Value {
    return this.op('Gemm', [a, b], hint, { transA: options.transA ? 1 : 0, transB: options.transB ? 1 : 0 });
  }
  /** Σ over `axes`; keepdims keeps them as size 1. */
  reduceSum(x: Value, axes: number[], keepdims: boolean, hint = 'sum'): Value {
    return this.op('ReduceSum', [x, this.ints(axes)], hint, { keepdims: keepdims ? 1 : 0 });
  }
  /** Mean over `axes` (an attribute until opset 18, unlike ReduceSum's input). */
  reduceMean(x: Value, axes: number[], keepdims: boolean, hint = 'mean'): Value {
    return this.op('ReduceMean', [x], hint, { axes, keepdims: keepdims ? 1 : 0 });
  }
  /** log Σ exp(x) over `axes`, computed stably (ONNX Runtime subtracts the maximum first). */
  reduceLogSumExp(x: Value, axes: number[], keepdims: boolean, hint = 'log_sum_exp'): Value {
    return this.op('ReduceLogSumExp', [x], hint, { axes, keepdims: keepdims ? 1 : 0 });
  }
  exp(x: Value, hint = 'exp'): Value {
    return this.op('Exp', [x], hint);
  }
  neg(x: Value, hint = 'neg'): Value {
    return this.op('Neg', [x], hint);
  }
  equal(a: Value, b: Value, hint = 'equal'): Value {
    return this.op('Equal', [a, b], hint);
  }
  greater(a: Value, b: Value, hint = 'greater'): Value {
    return this.op('Greater', [a, b], hint);
  }
  /** condition ? a : b, elementwise with broadcasting. */
  where(condition: Value, a: Value, b: Value, hint = 'where'): Value {
    return this.op('Where', [condition, a, b], hint);
  }
  min(a: Value, b: Value, hint = 'min'): Value {
    return this.op('Min', [a, b], hint);
  }
  max(a: Value, b: Value, hint = 'max'): Value {
    return this.op('Max', [a, b], hint);
  }
  concat(values: Value[], axis: number, hint = 'concat'): Value {
    return this.op('Concat', values, hint, { axis });
  }
  /** Entries of `x` along `axis` at `indices` (same rank as x), as torch.gather. */
  gatherElements(x: Value, indices: Value, axis: number, hint = 'gather_elements'): Value {
    return this.op('GatherElements', [x, indices], hint, { axis });
  }
  /** A float32 tensor of zeros whose shape is the 1-D int64 value `shape`. */
  zeros(shape: Value, hint = 'zeros'): Value {
    return this.op('ConstantOfShape', [shape], hint);
  }
  /** `data` with `updates` added at `indices` (repeated indices sum), as ScatterND with reduction 'add'. */
  scatterAdd(data: Value, indices: Value, updates: Value, hint = 'scatter_add'): Value {
    return this.op('ScatterND', [data, indices, updates], hint, { reduction: 'add' });
  }
  /** Zero padding; `pads` is a 1-D int64 value [begin₀, begin₁, …, end₀, end₁, …]. */
  pad(x: Value, pads: Value, hint = 'pad'): Value {
    return this.op('Pad', [x, pads], hint);
  }
  /** 0, 1, …, n − 1 for a scalar int64 value n. */
  range(n: Value, hint = 'range'): Value {
    return this.op('Range', [this.constant([0], [], INT64), n, this.constant([1], [], INT64)], hint);
  }

  /** LayerNormalization over the last axis; also returns the mean and 1/σ the backward pass needs. */
  layerNormalization(x: Value, scale: Value, bias: Value, epsilon: number, hint = 'LayerNorm'): { y: Value; mean: Value; invStdDev: Value } {
    const [y, mean, invStdDev] = this.node('LayerNormalization', [x, scale, bias], [hint, `${hint}_mean`, `${hint}_inv_std_dev`], {
      axis: -1,
      epsilon: float(epsilon),
    });
    return { y: y!, mean: mean!, invStdDev: invStdDev! };
  }

  /** The serialised ModelProto, weights inside. */
  toModel(options: ModelOptions): Uint8Array {
    return this.encode(options, this.initializers);
  }

  /**
   * The serialised ModelProto with its large weights in a separate file (ONNX external data), which
   * ONNX Runtime maps into memory instead of parsing: a session opens several times faster. Each
   * weight starts at a multiple of `alignment` bytes (the page size, so that it can be mapped).
   * `location` is the weight file's name, relative to the model file.
   */
  toModelWithExternalData(options: ModelOptions, location: string, alignment = 65536): { model: Uint8Array; data: Uint8Array[] } {
    const data: Uint8Array[] = [];
    let offset = 0;
    const initializers = this.initializers.map((tensor) => {
      const raw = tensor.rawData;
      if (!raw || raw.byteLength < 1024) return tensor;
      const padding = (alignment - (offset % alignment)) % alignment;
      if (padding > 0) data.push(new Uint8Array(padding));
      offset += padding;
      data.push(raw);
      const external = {
        ...tensor,
        rawData: undefined,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(raw.byteLength) }],
      };
      offset += raw.byteLength;
      return external;
    });
    return { model: this.encode(options, initializers), data };
  }

  private encode(options: ModelOptions, initializers: onnx.ITensorProto[]): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: options.name,
      node: this.nodes,
      initializer: initializers,
      input: this.inputs,
      output: this.outputs,
    });
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'spantune',
      docString: options.docString,
      graph,
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** How many nodes the graph has (for reports and tests). */
  get nodeCount(): number {
    return this.nodes.length;
  }
}

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function valueInfo(name: string, elementType: ElementType, dims: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], data: Float32Array): onnx.ITensorProto {
  // raw_data is little-endian, as Float32Array is on every platform Node runs on.
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function int64Tensor(name: string, dims: number[], values: readonly number[]): onnx.ITensorProto {
  return { name, dims, dataType: INT64, int64Data: [...values] };
}

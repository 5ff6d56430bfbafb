/**
 * Replacements for three kernels of tfjs's WebAssembly backend. The stock Slice copies the WHOLE input
 * out of the wasm heap before taking its slice, so Unpack and SplitV (which slice once per output)
 * cost O(n²) in the input size; here every slice reads through a view of the heap instead.
 */
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array | Uint8Array;
interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): TypedArray;
}
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown>; backend: WasmBackend };

/** Copies x[begin : begin + size] into a new tensor, reading the heap in place. */
function sliceInPlace(backend: WasmBackend, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  // Allocate first: a new allocation can grow the heap and invalidate views taken before it.
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((s) => s === 0)) return out;
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  const strides = tf.util.computeStrides(x.shape);
  // Trailing dimensions taken whole are one contiguous run per index of the leading ones.
  let runDims = rank - 1;
  while (runDims > 0 && begin[runDims] === 0 && size[runDims] === x.shape[runDims]) runDims--;
  const runLength = size.slice(runDims).reduce((a, b) => a * b, 1);
  const index = begin.slice(0, runDims);
  let written = 0;
  const stride = (d: number) => (d < rank - 1 ? strides[d]! : 1);
  for (;;) {
    let offset = begin[runDims]! * stride(runDims);
    for (let d = 0; d < runDims; d++) offset += index[d]! * stride(d);
    target.set(source.subarray(offset, offset + runLength), written);
    written += runLength;
    // Advance the odometer over the leading dimensions.
    let d = runDims - 1;
    while (d >= 0) {
      index[d]!++;
      if (index[d]! < begin[d]! + size[d]!) break;
      index[d] = begin[d]!;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}

function slice({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo {
  const x = inputs.x!;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
  return sliceInPlace(backend, x, begin, size);
}

function unpack({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo[] {
  const value = inputs.value!;
  const axis = ((attrs.axis as number) + value.shape.length) % value.shape.length;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const size = [...value.shape];
  size[axis] = 1;
  const begin = new Array<number>(value.shape.length).fill(0);
  return Array.from({ length: value.shape[axis]! }, (_, i) => {
    begin[axis] = i;
    const piece = sliceInPlace(backend, value, begin, size);
    return { ...piece, shape: outShape };
  });
}

function splitV({ inputs, attrs, backend }: KernelArgs): tf.TensorInfo[] {
  const x = inputs.x!;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number[] | number, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const piece = sliceInPlace(backend, x, begin, size);
    begin[axis]! += s;
    return piece;
  });
}

let installed = false;

/** Replaces the wasm backend's Slice, Unpack and SplitV kernels (string tensors keep the originals). */
export function installWasmKernelFixes(): void {
  if (installed) return;
  installed = true;
  const replacements: [string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]][] = [
    ['Slice', slice],
    ['Unpack', unpack],
    ['SplitV', splitV],
  ];
  for (const [kernelName, kernelFunc] of replacements) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ((args: KernelArgs) => {
        const first = Object.values(args.inputs)[0];
        if (first?.dtype === 'string') return original.kernelFunc(args as never);
        return kernelFunc(args);
      }) as unknown as tf.KernelFunc,
    });
  }
}

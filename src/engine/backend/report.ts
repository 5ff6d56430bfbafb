/**
 * The one-line description of what runs a training job, as prediction describes its engine: ONNX
 * Runtime with its provider ("onnxruntime cpu, 2 threads (cuda: not installed; webgpu: no GPU)") or a
 * TensorFlow.js backend ("tensorflow.js wasm, 1 thread (onnx: ...; tensorflow: not installed)").
 * Loads no runtime.
 */
import type { EngineReport } from '../process/protocol';

export function describeEngine(report: EngineReport): string {
  const skipped = report.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  const threads = report.threads && (report.name !== 'onnx' || report.provider === 'cpu') ? `, ${report.threads} thread${report.threads === 1 ? '' : 's'}` : '';
  return `${engineName(report)}${threads}${skipped ? ` (${skipped})` : ''}`;
}

/** The engine's name alone, for a model card ("onnxruntime cpu", "tensorflow.js wasm"). */
export function engineName(report: EngineReport): string {
  return report.name === 'onnx' ? `onnxruntime ${report.provider ?? 'cpu'}` : `tensorflow.js ${report.name}`;
}

import { exportQaOnnx } from '../../engine/onnx/export';
import { parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune export-onnx --model DIR --out FILE [--no-check]

Writes the model's question-answering graph as one self-contained ONNX file (opset 17, weights inside,
named as in the checkpoint): inputs input_ids, attention_mask (and token_type_ids for BERT layouts),
int64 [batch, sequence]; outputs start_logits, end_logits, float32 [batch, sequence]. Hugging Face's
ONNX exports use the same names, so Python onnxruntime, onnxruntime-web and transformers.js read it
(for transformers.js, write it as DIR/onnx/model.onnx). The file appears only once ONNX Runtime has
loaded it and its logits on a small input match SpanTune's TensorFlow.js model (--no-check skips that).
Prints JSON: the file, its size, inputs, outputs and the check.`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('export-onnx', argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    'no-check': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('export-onnx', values, 'model');
  const out = requireString('export-onnx', values, 'out');
  const result = await exportQaOnnx(modelDir, out, { check: !values['no-check'] });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

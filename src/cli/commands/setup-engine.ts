import { checkNativeSupport, defaultNativeDir, installNativeBackend, NATIVE_PACKAGES, type NativeKind } from '../../engine/backend/native-setup';
import { UserError } from '../../engine/errors';
import { checkCudaSupport, installCudaProvider } from '../../engine/onnx/cuda-setup';
import { parseCommandArgs } from '../args';

const USAGE = `Usage: spantune setup-engine [--cuda | --gpu | --cpu] [--dir DIR] [--check]

Installs an accelerated runtime for SpanTune's engine into DIR (default $SPANTUNE_NATIVE_DIR or
~/.spantune/native; the extension's "Set Up Accelerated Engine" uses the same folder), where the
engine looks first:
  --cuda   ONNX Runtime's CUDA provider, for answering and evaluating on an NVIDIA GPU (Linux x86-64,
           CUDA 12 and cuDNN 9); downloads about 250 MB from NuGet
  --gpu    TensorFlow.js with CUDA, for training (Linux or Windows x86-64, CUDA 11.2 and cuDNN 8.1)
  --cpu    native TensorFlow on the CPU, for training (the default)
--check only says whether this machine can run it.`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('setup-engine', argv, {
    cuda: { type: 'boolean' },
    gpu: { type: 'boolean' },
    cpu: { type: 'boolean' },
    dir: { type: 'string' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if ([values.cuda, values.gpu, values.cpu].filter(Boolean).length > 1) throw new UserError('spantune setup-engine: choose one of --cuda, --gpu and --cpu');
  const dir = values.dir ?? defaultNativeDir();
  const progress = (p: { phase: string; percent?: number; message: string }) => process.stderr.write(`${p.phase}${p.percent !== undefined ? ` ${p.percent}%` : ''}: ${p.message}\n`);
  if (values.cuda) {
    if (values.check) return report({ package: 'onnxruntime-node (CUDA provider)', ...checkCudaSupport() });
    process.stdout.write(`${JSON.stringify(await installCudaProvider({ dir, onProgress: progress }), null, 2)}\n`);
    return;
  }
  const kind: NativeKind = values.gpu ? 'gpu' : 'cpu';
  if (values.check) return report({ package: NATIVE_PACKAGES[kind], ...checkNativeSupport(kind) });
  process.stdout.write(`${JSON.stringify(await installNativeBackend({ kind, dir, onProgress: progress }), null, 2)}\n`);
}

function report(check: { package: string; ok: boolean; problems: string[]; found: string[] }): void {
  process.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
  if (!check.ok) process.exitCode = 1;
}

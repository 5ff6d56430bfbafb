import { checkNativeSupport, defaultNativeDir, installNativeBackend, NATIVE_PACKAGES, type NativeKind } from '../../engine/backend/native-setup';
import { UserError } from '../../engine/errors';
import { parseCommandArgs } from '../args';

const USAGE = `Usage: spantune setup-engine [--gpu | --cpu] [--dir DIR] [--check]

Installs native TensorFlow for SpanTune's engine: --gpu (CUDA; needs CUDA 11.2 and cuDNN 8.1, Linux or
Windows x86-64) or --cpu (default). The package goes into DIR (default $SPANTUNE_NATIVE_DIR or
~/.spantune/native), where the engine finds it. --check only says whether this machine can run it.`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('setup-engine', argv, {
    gpu: { type: 'boolean' },
    cpu: { type: 'boolean' },
    dir: { type: 'string' },
    check: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  if (values.gpu && values.cpu) throw new UserError('spantune setup-engine: choose --gpu or --cpu, not both');
  const kind: NativeKind = values.gpu ? 'gpu' : 'cpu';
  if (values.check) {
    const check = checkNativeSupport(kind);
    process.stdout.write(`${JSON.stringify({ package: NATIVE_PACKAGES[kind], ...check }, null, 2)}\n`);
    if (!check.ok) process.exitCode = 1;
    return;
  }
  const result = await installNativeBackend({
    kind,
    dir: values.dir ?? defaultNativeDir(),
    onProgress: (p) => process.stderr.write(`${p.phase}${p.percent !== undefined ? ` ${p.percent}%` : ''}: ${p.message}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

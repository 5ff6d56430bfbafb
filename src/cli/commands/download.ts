import { UserError } from '../../engine/errors';
import { downloadModel } from '../../engine/hub/download-model';
import { formatBytes, formatDuration, type DownloadProgress } from '../../engine/hub/progress';
import { isOffline, proxyFromEnvironment, tokenFromEnvironment } from '../../engine/hub/settings';
import { parseCommandArgs } from '../args';

const USAGE = `Usage: spantune download MODEL_ID [--revision R] [--cache-dir DIR] [--offline] [--token T] [--json]

Downloads a model's config, tokenizer files and weights from the Hugging Face Hub into the cache that
Python's huggingface_hub uses too, and prints the snapshot folder on stdout (progress goes to stderr).
Files already in the cache are not fetched again; an interrupted download resumes where it stopped.

Options:
  --revision R      branch, tag or commit (default main)
  --cache-dir DIR   cache folder (default $HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub)
  --offline         use only the cache (also HF_HUB_OFFLINE=1)
  --token T         access token for gated or private models (default $HF_TOKEN or the saved login token)
  --endpoint URL    Hub address (default $HF_ENDPOINT or https://huggingface.co)
  --json            print a JSON summary instead of the folder

Environment: HTTPS_PROXY / HTTP_PROXY and NO_PROXY are honoured.`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    'download',
    argv,
    {
      revision: { type: 'string' },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean' },
      token: { type: 'string' },
      endpoint: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) {
    throw new UserError(`spantune download: expected one MODEL_ID (e.g. deepset/minilm-uncased-squad2), got ${positionals.length}`);
  }
  const controller = new AbortController();
  const onInterrupt = () => controller.abort(new UserError('download interrupted; run the same command again to resume where it stopped'));
  process.once('SIGINT', onInterrupt);
  const printer = new ProgressPrinter(process.stderr);
  try {
    const { proxy, noProxy } = proxyFromEnvironment();
    const result = await downloadModel({
      repoId: positionals[0]!,
      revision: values.revision,
      cacheDir: values['cache-dir'],
      offline: values.offline || isOffline(),
      token: values.token || tokenFromEnvironment(),
      endpoint: values.endpoint,
      proxy,
      noProxy,
      signal: controller.signal,
      onProgress: (progress) => printer.update(progress),
    });
    printer.finish();
    for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${result.modelDir}\n`);
  } catch (error) {
    printer.finish();
    throw controller.signal.aborted && controller.signal.reason instanceof UserError ? controller.signal.reason : error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** One self-overwriting line on a terminal; otherwise a line per finished file and every few seconds. */
class ProgressPrinter {
  private lastLine = Date.now();
  private open = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(progress: DownloadProgress): void {
    if (progress.phase === 'resolving' || progress.phase === 'done') return;
    const now = Date.now();
    const line =
      `${progress.file ?? ''}: ${formatBytes(progress.bytes)} / ${formatBytes(progress.totalBytes)} ` +
      `(${progress.percent.toFixed(1)}%) ${formatBytes(progress.bytesPerSecond)}/s ETA ${formatDuration(progress.etaSeconds)}` +
      (progress.phase === 'verifying' ? ' checking' : '');
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.open = true;
    } else if (progress.phase === 'verifying' || now - this.lastLine > 5000) {
      this.stream.write(`${line}\n`); // a log, not a terminal: each finished file, and a line every 5 s
      this.lastLine = now;
    }
  }

  finish(): void {
    if (this.open) this.stream.write('\n');
    this.open = false;
  }
}

import { UserError } from '../../engine/errors';
import { pushModel, type PushProgress } from '../../engine/hub/push-model';
import { proxyFromEnvironment, tokenFromEnvironment } from '../../engine/hub/settings';
import { parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune push FOLDER --repo ID [--token T] [--private] [--commit-message M]

Uploads a model folder in Hugging Face layout (config.json, weights, tokenizer files, README.md model
card) to the Hub in one commit, creating the repository when it does not exist. Prints a JSON summary
(repository, commit) on stdout; progress goes to stderr.

Options:
  --repo ID             'organisation/name', or 'name' for your own account
  --token T             a token with write access (default $HF_TOKEN or the saved login token)
  --private             create the repository as private (an existing one keeps its visibility)
  --commit-message M    the commit title (default "Upload model fine-tuned with SpanTune")
  --branch B            the branch to commit to (default main)
  --endpoint URL        Hub address (default $HF_ENDPOINT or https://huggingface.co)

Environment: HTTPS_PROXY / HTTP_PROXY and NO_PROXY are honoured.`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    'push',
    argv,
    {
      repo: { type: 'string' },
      token: { type: 'string' },
      private: { type: 'boolean' },
      'commit-message': { type: 'string' },
      branch: { type: 'string' },
      endpoint: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (positionals.length !== 1) throw new UserError(`spantune push: expected one FOLDER, got ${positionals.length}`);
  const repoId = requireString('push', values, 'repo');
  const token = values.token || tokenFromEnvironment();
  if (!token) throw new UserError('spantune push: a token with write access is needed: --token T, or set HF_TOKEN');
  const { proxy, noProxy } = proxyFromEnvironment();
  let lastPhase = '';
  const result = await pushModel({
    repoId,
    folder: positionals[0]!,
    token,
    endpoint: values.endpoint,
    private: values.private,
    commitMessage: values['commit-message'],
    branch: values.branch,
    proxy,
    noProxy,
    onProgress: (progress: PushProgress) => {
      const key = `${progress.phase}:${progress.file ?? ''}:${progress.fraction === 1 ? 'done' : ''}`;
      if (key === lastPhase) return;
      lastPhase = key;
      if (!progress.file) process.stderr.write(`${progress.phase}\n`);
      else if (progress.fraction === 1) process.stderr.write(`  ${progress.phase === 'hashing' ? 'hashed' : 'uploaded'} ${progress.file}\n`);
    },
  });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

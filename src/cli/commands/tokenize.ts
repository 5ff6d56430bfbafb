import { UserError } from '../../engine/errors';
import { readUserTextFile } from '../../engine/squad/text-file';
import { loadTokenizer } from '../../engine/tokenizer/load';
import { parseCommandArgs, requireString } from '../args';

const USAGE = `Usage: spantune tokenize --model DIR (--text S | --file F)

Prints JSON with the WordPiece tokens, their ids and each token's [start, end) character span in the text.
Control characters (NUL included) are dropped by the tokenizer, as in BERT's, and keep their offsets.`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseCommandArgs('tokenize', argv, {
    model: { type: 'string' },
    text: { type: 'string' },
    file: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const modelDir = requireString('tokenize', values, 'model');
  if ((values.text === undefined) === (values.file === undefined)) throw new UserError('spantune tokenize: give exactly one of --text and --file');
  const tokenizer = await loadTokenizer(modelDir);
  const text = values.text ?? (await readUserTextFile(values.file!, { allowNul: true }));
  const { tokens, ids, offsets } = tokenizer.encode(text);
  process.stdout.write(`${JSON.stringify({ tokens, ids, offsets })}\n`);
}

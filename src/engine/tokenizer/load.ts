import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { copyFileAtomic } from '../fs/atomic';
import { BertWordPieceTokenizer, type BertTokenizerConfig } from './bert-tokenizer';

/** Files that make up a tokenizer in a Hugging Face model folder. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'vocab.txt',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
] as const;

type Json = Record<string, unknown>;

const DEFAULT_SPECIAL_TOKENS = {
  unk_token: '[UNK]',
  cls_token: '[CLS]',
  sep_token: '[SEP]',
  pad_token: '[PAD]',
  mask_token: '[MASK]',
} as const;
type SpecialTokenKey = keyof typeof DEFAULT_SPECIAL_TOKENS;

/**
 * Loads the WordPiece tokenizer of a model folder: `tokenizer.json` when present, else `vocab.txt`
 * with `tokenizer_config.json`, `special_tokens_map.json` and `added_tokens.json` when present.
 */
export async function loadTokenizer(modelDir: string): Promise<BertWordPieceTokenizer> {
  const tokenizerConfig = await readJsonIfExists(path.join(modelDir, 'tokenizer_config.json'));
  const specialTokensMap = await readJsonIfExists(path.join(modelDir, 'special_tokens_map.json'));
  const tokenizerJsonPath = path.join(modelDir, 'tokenizer.json');
  const tokenizerJson = await readJsonIfExists(tokenizerJsonPath);
  let config: BertTokenizerConfig;
  let source: string;
  if (tokenizerJson !== undefined) {
    config = configFromTokenizerJson(tokenizerJson, tokenizerJsonPath, tokenizerConfig ?? {}, specialTokensMap ?? {});
    source = tokenizerJsonPath;
  } else {
    const vocabPath = path.join(modelDir, 'vocab.txt');
    const vocabText = await readTextIfExists(vocabPath);
    if (vocabText === undefined) {
      throw new UserError(`${modelDir}: no tokenizer found (neither tokenizer.json nor vocab.txt exists)`);
    }
    const addedTokens = await readJsonIfExists(path.join(modelDir, 'added_tokens.json'));
    config = configFromVocabTxt(vocabText, vocabPath, tokenizerConfig ?? {}, specialTokensMap ?? {}, addedTokens ?? {});
    source = vocabPath;
  }
  try {
    return new BertWordPieceTokenizer(config);
  } catch (error) {
    throw new UserError(`${source}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Copies the tokenizer files of a model folder into another folder (for saving a checkpoint), each
 * through a temporary file, flushed and renamed. Returns the names of the files copied.
 */
export async function copyTokenizerFiles(fromDir: string, toDir: string): Promise<string[]> {
  await fs.mkdir(toDir, { recursive: true });
  const copied: string[] = [];
  for (const name of TOKENIZER_FILES) {
    const from = path.join(fromDir, name);
    if (!(await isFile(from))) continue;
    await copyFileAtomic(from, path.join(toDir, name));
    copied.push(name);
  }
  if (!copied.includes('tokenizer.json') && !copied.includes('vocab.txt')) {
    throw new UserError(`${fromDir}: no tokenizer to copy (neither tokenizer.json nor vocab.txt exists)`);
  }
  return copied;
}

/** vocab.txt: one token per line, the id is the line number (a repeated token keeps its last line). */
export function parseVocabTxt(text: string, file: string): Map<string, number> {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new UserError(`${file}: the vocabulary is empty`);
  const vocab = new Map<string, number>();
  lines.forEach((token, id) => vocab.set(token, id));
  return vocab;
}

function configFromVocabTxt(
  vocabText: string,
  vocabPath: string,
  tokenizerConfig: Json,
  specialTokensMap: Json,
  addedTokensJson: Json,
): BertTokenizerConfig {
  const configPath = path.join(path.dirname(vocabPath), 'tokenizer_config.json');
  const vocab = parseVocabTxt(vocabText, vocabPath);
  const lowercase = optionalBoolean(tokenizerConfig, 'do_lower_case', configPath) ?? true;
  const stripAccents = optionalBoolean(tokenizerConfig, 'strip_accents', configPath) ?? lowercase;
  const handleChineseChars = optionalBoolean(tokenizerConfig, 'tokenize_chinese_chars', configPath) ?? true;
  const special = specialTokens(specialTokensMap, tokenizerConfig);

  const added: { content: string; id: number }[] = [];
  const addById = (content: string, id: number | undefined): void => {
    if (id !== undefined && !added.some((t) => t.content === content)) added.push({ content, id });
  };
  for (const [content, id] of Object.entries(addedTokensJson)) {
    if (typeof id !== 'number') throw new UserError(`${path.join(path.dirname(vocabPath), 'added_tokens.json')}: id of '${content}' must be a number`);
    addById(content, id);
  }
  for (const [id, entry] of Object.entries(asObject(tokenizerConfig['added_tokens_decoder']))) {
    const content = tokenContent(entry);
    if (content !== undefined) addById(content, Number(id));
  }
  // Special tokens, additional special tokens and never_split words are split out verbatim.
  const verbatim = [
    ...Object.values(special.tokens),
    ...special.additional,
    ...stringList(tokenizerConfig['never_split']),
  ];
  for (const content of verbatim) addById(content, vocab.get(content) ?? added.find((t) => t.content === content)?.id);

  return {
    vocab,
    lowercase,
    stripAccents,
    cleanText: true,
    handleChineseChars,
    unkToken: special.tokens.unk_token,
    clsToken: special.tokens.cls_token,
    sepToken: special.tokens.sep_token,
    padToken: special.tokens.pad_token,
    maskToken: special.tokens.mask_token,
    addedTokens: added,
    continuingSubwordPrefix: '##',
    maxInputCharsPerWord: optionalNumber(tokenizerConfig, 'max_input_chars_per_word', configPath) ?? 100,
    modelMaxLength: modelMaxLength(tokenizerConfig),
  };
}

function configFromTokenizerJson(
  json: Json,
  file: string,
  tokenizerConfig: Json,
  specialTokensMap: Json,
): BertTokenizerConfig {
  const model = asObject(json['model']);
  const type = model['type'];
  if (type !== undefined && type !== 'WordPiece') {
    throw new UserError(
      `${file}: tokenizer model type '${String(type)}' is not supported; SpanTune reads WordPiece tokenizers (BERT, DistilBERT, ELECTRA, MiniLM)`,
    );
  }
  const vocabObject = asObject(model['vocab']);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabObject)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new UserError(`${file}: model.vocab['${token}'] must be a non-negative integer id`);
    }
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new UserError(`${file}: model.vocab is missing or empty`);

  const normalizer = readNormalizer(json['normalizer'], file);
  // As Hugging Face's BertTokenizerFast does, explicit tokenizer_config settings override a BertNormalizer's.
  if (asObject(json['normalizer'])['type'] === 'BertNormalizer') {
    const configPath = path.join(path.dirname(file), 'tokenizer_config.json');
    const lowercase = optionalBoolean(tokenizerConfig, 'do_lower_case', configPath);
    const stripAccents = optionalBoolean(tokenizerConfig, 'strip_accents', configPath);
    const chinese = optionalBoolean(tokenizerConfig, 'tokenize_chinese_chars', configPath);
    if (lowercase !== undefined) normalizer.lowercase = lowercase;
    if (stripAccents !== undefined) normalizer.stripAccents = stripAccents;
    else if (lowercase !== undefined) normalizer.stripAccents = lowercase;
    if (chinese !== undefined) normalizer.handleChineseChars = chinese;
  }

  const added: { content: string; id: number }[] = [];
  const addedTokens = json['added_tokens'];
  if (addedTokens !== undefined && addedTokens !== null) {
    if (!Array.isArray(addedTokens)) throw new UserError(`${file}: added_tokens must be a list`);
    addedTokens.forEach((entry: unknown, index) => {
      const object = asObject(entry);
      if (typeof object['content'] !== 'string' || typeof object['id'] !== 'number') {
        throw new UserError(`${file}: added_tokens[${index}] needs a string 'content' and a numeric 'id'`);
      }
      added.push({ content: object['content'], id: object['id'] });
    });
  }

  // Special tokens: the tokenizer_config/special_tokens_map names win, then the post-processor's, then BERT's.
  const special = specialTokens(specialTokensMap, tokenizerConfig);
  const fromPostProcessor = postProcessorSpecialTokens(json['post_processor']);
  const explicitly = (key: SpecialTokenKey): boolean =>
    tokenContent(specialTokensMap[key]) !== undefined || tokenContent(tokenizerConfig[key]) !== undefined;
  const unkToken = explicitly('unk_token') ? special.tokens.unk_token : typeof model['unk_token'] === 'string' ? model['unk_token'] : special.tokens.unk_token;
  const clsToken = explicitly('cls_token') ? special.tokens.cls_token : fromPostProcessor.cls ?? special.tokens.cls_token;
  const sepToken = explicitly('sep_token') ? special.tokens.sep_token : fromPostProcessor.sep ?? special.tokens.sep_token;
  const padding = asObject(json['padding']);
  const padToken = explicitly('pad_token') ? special.tokens.pad_token : typeof padding['pad_token'] === 'string' ? padding['pad_token'] : special.tokens.pad_token;

  return {
    vocab,
    ...normalizer,
    unkToken,
    clsToken,
    sepToken,
    padToken,
    maskToken: special.tokens.mask_token,
    addedTokens: added,
    continuingSubwordPrefix: typeof model['continuing_subword_prefix'] === 'string' ? model['continuing_subword_prefix'] : '##',
    maxInputCharsPerWord: typeof model['max_input_chars_per_word'] === 'number' ? model['max_input_chars_per_word'] : 100,
    modelMaxLength: modelMaxLength(tokenizerConfig),
  };
}

type NormalizerSettings = Pick<BertTokenizerConfig, 'lowercase' | 'stripAccents' | 'cleanText' | 'handleChineseChars'>;

/** Reads the normalizer of tokenizer.json: BertNormalizer, or a sequence of NFD/Lowercase/StripAccents. */
function readNormalizer(value: unknown, file: string): NormalizerSettings {
  const settings: NormalizerSettings = { lowercase: false, stripAccents: false, cleanText: false, handleChineseChars: false };
  if (value === undefined || value === null) return settings;
  const apply = (normalizer: Json): void => {
    switch (normalizer['type']) {
      case 'BertNormalizer': {
        settings.lowercase = normalizer['lowercase'] !== false;
        const strip = normalizer['strip_accents'];
        settings.stripAccents = strip === null || strip === undefined ? settings.lowercase : strip === true;
        settings.cleanText = normalizer['clean_text'] !== false;
        settings.handleChineseChars = normalizer['handle_chinese_chars'] !== false;
        break;
      }
      case 'Lowercase':
        settings.lowercase = true;
        break;
      case 'StripAccents':
        settings.stripAccents = true;
        break;
      case 'NFD':
        break;
      case 'Sequence': {
        const list = normalizer['normalizers'];
        if (!Array.isArray(list)) throw new UserError(`${file}: normalizer.normalizers must be a list`);
        for (const item of list) apply(asObject(item));
        break;
      }
      default:
        throw new UserError(
          `${file}: normalizer '${String(normalizer['type'])}' is not supported (expected BertNormalizer, or Lowercase/StripAccents/NFD)`,
        );
    }
  };
  apply(asObject(value));
  return settings;
}

function postProcessorSpecialTokens(value: unknown): { cls?: string; sep?: string } {
  const processor = asObject(value);
  if (processor['type'] === 'BertProcessing') {
    const cls = processor['cls'];
    const sep = processor['sep'];
    return {
      cls: Array.isArray(cls) && typeof cls[0] === 'string' ? cls[0] : undefined,
      sep: Array.isArray(sep) && typeof sep[0] === 'string' ? sep[0] : undefined,
    };
  }
  if (processor['type'] === 'TemplateProcessing') {
    // The single template is [CLS] $A [SEP]: its first and last special pieces name them.
    const single = Array.isArray(processor['single']) ? (processor['single'] as unknown[]) : [];
    const specials = single
      .map((piece) => asObject(asObject(piece)['SpecialToken'])['id'])
      .filter((id): id is string => typeof id === 'string');
    return { cls: specials[0], sep: specials.length > 1 ? specials[specials.length - 1] : undefined };
  }
  if (processor['type'] === 'Sequence' && Array.isArray(processor['processors'])) {
    for (const item of processor['processors'] as unknown[]) {
      const found = postProcessorSpecialTokens(item);
      if (found.cls !== undefined) return found;
    }
  }
  return {};
}

/** Special tokens named by special_tokens_map.json, then tokenizer_config.json, then BERT's defaults. */
function specialTokens(specialTokensMap: Json, tokenizerConfig: Json): { tokens: Record<SpecialTokenKey, string>; additional: string[] } {
  const tokens = { ...DEFAULT_SPECIAL_TOKENS } as Record<SpecialTokenKey, string>;
  for (const key of Object.keys(DEFAULT_SPECIAL_TOKENS) as SpecialTokenKey[]) {
    tokens[key] = tokenContent(specialTokensMap[key]) ?? tokenContent(tokenizerConfig[key]) ?? tokens[key];
  }
  const additional = [
    ...tokenList(specialTokensMap['additional_special_tokens']),
    ...tokenList(tokenizerConfig['additional_special_tokens']),
  ];
  return { tokens, additional };
}

/** A token given as a string or as a serialised AddedToken ({"content": ...}). */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const content = asObject(value)['content'];
  return typeof content === 'string' ? content : undefined;
}

function tokenList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(tokenContent).filter((t): t is string => t !== undefined);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}

function modelMaxLength(tokenizerConfig: Json): number | undefined {
  const value = tokenizerConfig['model_max_length'];
  // Hugging Face writes a huge sentinel (1e30) when there is no limit.
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 1e9 ? value : undefined;
}

function optionalBoolean(json: Json, key: string, file: string): boolean | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new UserError(`${file}: '${key}' must be true, false or null, got ${JSON.stringify(value)}`);
  return value;
}

function optionalNumber(json: Json, key: string, file: string): number | undefined {
  const value = json[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new UserError(`${file}: '${key}' must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${file}: cannot be read (${(error as Error).message})`, { cause: error });
  }
}

async function readJsonIfExists(file: string): Promise<Json | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: invalid JSON (${(error as Error).message})`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${file}: expected a JSON object`);
  }
  return value as Json;
}

import { UserError } from '../errors';

/** Tokenizer files SpanTune reads, whichever of them the repository has. */
export const TOKENIZER_FILES = ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json'];

export type WeightsFormat = 'safetensors' | 'pytorch';

export interface FileSelection {
  /** Files to fetch now (config, tokenizer, weights or the shard index). */
  files: string[];
  weightsFormat: WeightsFormat;
  /** Set when the weights are sharded: read it to learn the shard files. */
  shardIndex?: string;
  warnings: string[];
}

/** How to turn a PyTorch-only checkpoint into safetensors, for the message that says we cannot read it. */
export function pytorchConversionHint(repoId: string): string {
  return (
    `'${repoId}' has only PyTorch weights (pytorch_model.bin), which SpanTune cannot read (it is a Python pickle). ` +
    `Convert it once with Python: pip install torch transformers && python -c "from transformers import AutoModelForQuestionAnswering as M; ` +
    `M.from_pretrained('${repoId}').save_pretrained('converted', safe_serialization=True)" and copy the tokenizer files too ` +
    `(or look on the Hub for a revision with model.safetensors, e.g. a refs/pr/N opened by the SFconvertbot), then use the folder 'converted'.`
  );
}

/**
 * Picks what a QA model needs from a repository's file list: config.json, the tokenizer files, and
 * one set of weights — model.safetensors, else the sharded safetensors index, else (with a warning)
 * pytorch_model.bin. ONNX, TensorFlow, Flax and training files are left out.
 */
export function selectModelFiles(repoId: string, available: readonly string[], acceptPytorchWeights = true): FileSelection {
  const has = new Set(available);
  if (!has.has('config.json')) {
    throw new UserError(`'${repoId}' has no config.json at its top level: it is not a transformers model repository`);
  }
  const tokenizer = TOKENIZER_FILES.filter((file) => has.has(file));
  if (!has.has('tokenizer.json') && !has.has('vocab.txt')) {
    throw new UserError(`'${repoId}' has neither tokenizer.json nor vocab.txt: SpanTune needs one of them to tokenize text`);
  }
  const base = ['config.json', ...tokenizer];
  if (has.has('model.safetensors')) return { files: [...base, 'model.safetensors'], weightsFormat: 'safetensors', warnings: [] };
  if (has.has('model.safetensors.index.json')) {
    return { files: [...base, 'model.safetensors.index.json'], weightsFormat: 'safetensors', shardIndex: 'model.safetensors.index.json', warnings: [] };
  }
  const pytorch = has.has('pytorch_model.bin') ? 'pytorch_model.bin' : has.has('pytorch_model.bin.index.json') ? 'pytorch_model.bin.index.json' : undefined;
  if (pytorch) {
    const hint = pytorchConversionHint(repoId);
    if (!acceptPytorchWeights) throw new UserError(hint);
    return {
      files: [...base, pytorch],
      weightsFormat: 'pytorch',
      shardIndex: pytorch.endsWith('.index.json') ? pytorch : undefined,
      warnings: [hint],
    };
  }
  const other = available.filter((file) => /\.(h5|msgpack|onnx|ckpt)$/.test(file));
  throw new UserError(
    `'${repoId}' has no PyTorch/safetensors weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)` +
      (other.length ? `; it has only ${other.join(', ')}, which SpanTune cannot read` : ''),
  );
}

/** The shard files listed in a `*.index.json` weight map, in order, each once. */
export function shardsFromIndex(repoId: string, indexName: string, text: string, available?: readonly string[]): string[] {
  let weightMap: unknown;
  try {
    weightMap = (JSON.parse(text) as { weight_map?: unknown }).weight_map;
  } catch (error) {
    throw new UserError(`${indexName} of '${repoId}' is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new UserError(`${indexName} of '${repoId}' has no "weight_map" object`);
  }
  const shards = [...new Set(Object.values(weightMap as Record<string, unknown>))];
  if (shards.length === 0 || shards.some((shard) => typeof shard !== 'string')) {
    throw new UserError(`${indexName} of '${repoId}': "weight_map" must map tensor names to shard file names`);
  }
  const missing = available ? shards.filter((shard) => !available.includes(shard as string)) : [];
  if (missing.length) throw new UserError(`${indexName} of '${repoId}' names shards that are not in the repository: ${missing.join(', ')}`);
  return shards as string[];
}

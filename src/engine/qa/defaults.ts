/** Hugging Face run_qa.py's defaults for SQuAD, shared by the CLI, the engine and the extension. */
export const QA_DEFAULTS = {
  maxSeqLength: 384,
  docStride: 128,
  maxQueryLength: 64,
  nBestSize: 20,
  maxAnswerLength: 30,
  nullScoreDiffThreshold: 0,
  /** Windows per forward pass: bounds inference memory whatever the document length. */
  batchSize: 16,
} as const;

/** Hugging Face run_qa.py's defaults for SQuAD, shared by the CLI, the engine and the extension. */
export const QA_DEFAULTS = {
  maxSeqLength: 384,
  docStride: 128,
  maxQueryLength: 64,
  nBestSize: 20,
  maxAnswerLength: 30,
  nullScoreDiffThreshold: 0,
  /**
   * Windows per forward pass: bounds inference memory whatever the document length. Small, because
   * on the CPU a window of 384 tokens already fills the matrix units: batches of 1, 4 or 16 ran at the
   * same speed once warm, but a process's first batches of 16 took 0.4 s longer (ONNX Runtime growing
   * its arena), which is most of a one-shot `spantune ask`. Raise it (--batch-size) on a GPU.
   */
  batchSize: 4,
} as const;

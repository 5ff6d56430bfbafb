/** A subcommand: its module is loaded only when the command runs, and exports `run(argv)`. */
export interface CommandEntry {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<void> }>;
}

/** Every `spantune` subcommand. Add one line per command; its module lives in ./commands. */
export const commandTable: Record<string, CommandEntry> = {
  train: { summary: 'Fine-tune a QA model on SQuAD data in a separate engine process', load: () => import('./commands/train') },
  predict: { summary: 'Answer every question of a SQuAD file (official predictions format)', load: () => import('./commands/predict') },
  ask: { summary: 'Answer one question about a text, with scores and character offsets', load: () => import('./commands/ask') },
  forward: { summary: 'Start/end logits for token ids (parity checks)', load: () => import('./commands/forward') },
  'export-onnx': { summary: 'Write the model as one ONNX file for onnxruntime, onnxruntime-web and transformers.js', load: () => import('./commands/export-onnx') },
  'setup-engine': { summary: 'Install ONNX Runtime\'s CUDA provider or native TensorFlow for the engine, or check that it can run', load: () => import('./commands/setup-engine') },
  tokenize: { summary: 'WordPiece tokens, ids and character offsets of a text', load: () => import('./commands/tokenize') },
  evaluate: { summary: 'Score predictions with the official SQuAD v1.1/v2.0 metrics', load: () => import('./commands/evaluate') },
  download: { summary: 'Download a model from the Hugging Face Hub into the shared cache', load: () => import('./commands/download') },
  push: { summary: 'Upload a model folder to the Hugging Face Hub', load: () => import('./commands/push') },
  'export-recipe': { summary: 'Write the dataset and a multi-GPU Hugging Face training recipe (run_qa.py + accelerate)', load: () => import('./commands/export-recipe') },
  generate: { summary: 'Propose SQuAD question-answer pairs from workspace documents', load: () => import('./commands/generate') },
};

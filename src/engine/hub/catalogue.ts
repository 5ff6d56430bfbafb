/**
 * Checkpoints offered by "Select Base Model": QA-tuned ones first, smallest first (they train and run
 * well on a CPU), then plain pretrained ones to fine-tune from scratch. Only architectures SpanTune
 * runs (BERT and BERT-shaped MiniLM, DistilBERT).
 *
 * Scores are the ones published on each model card (the `source`), never our own runs; where the card
 * gives none, there is none here. Sizes are float32 weights, about 4 bytes per parameter.
 */

export type CatalogueArchitecture = 'bert' | 'distilbert';

/** How training goes on a CPU with the wasm engine (see shared notes: examples/s at sequence 384). */
export type CpuTraining = 'fast' | 'usable' | 'slow' | 'needs-gpu';

export interface PublishedScores {
  dataset: 'SQuAD v1.1' | 'SQuAD v2.0';
  split: 'dev';
  exactMatch?: number;
  f1?: number;
  /** The page that publishes the figures. */
  source: string;
}

export interface CatalogueEntry {
  /** Hub id. */
  id: string;
  label: string;
  architecture: CatalogueArchitecture;
  /** Layers × hidden size, for the picker's detail line. */
  shape: string;
  parametersMillions: number;
  approxSizeMB: number;
  /** Already fine-tuned for extractive QA: usable as is, and a better start for fine-tuning. */
  qaTuned: boolean;
  /** Trained on SQuAD v2.0 (can answer "no answer"). */
  squadV2: boolean;
  uncased: boolean;
  cpuTraining: CpuTraining;
  scores?: PublishedScores;
  license?: string;
  note?: string;
}

export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  {
    id: 'mrm8488/bert-tiny-finetuned-squadv2',
    label: 'BERT-Tiny SQuAD 2.0',
    architecture: 'bert',
    shape: '2 layers × 128',
    parametersMillions: 4.4,
    approxSizeMB: 17.6,
    qaTuned: true,
    squadV2: true,
    uncased: true,
    cpuTraining: 'fast',
    scores: { dataset: 'SQuAD v2.0', split: 'dev', exactMatch: 48.6, f1: 49.73, source: 'https://huggingface.co/mrm8488/bert-tiny-finetuned-squadv2' },
    note: 'Trains in minutes on a CPU; modest accuracy. Good for trying the workflow.',
  },
  {
    id: 'deepset/minilm-uncased-squad2',
    label: 'MiniLM-L12-H384 SQuAD 2.0 (deepset)',
    architecture: 'bert',
    shape: '12 layers × 384',
    parametersMillions: 33.4,
    approxSizeMB: 134,
    qaTuned: true,
    squadV2: true,
    uncased: true,
    cpuTraining: 'slow',
    scores: { dataset: 'SQuAD v2.0', split: 'dev', exactMatch: 76.13, f1: 79.5, source: 'https://huggingface.co/deepset/minilm-uncased-squad2' },
    license: 'cc-by-4.0',
    note: 'Best accuracy per MB here; fine-tuning on a CPU takes hours for a few thousand examples.',
  },
  {
    id: 'distilbert/distilbert-base-cased-distilled-squad',
    label: 'DistilBERT base cased, distilled on SQuAD',
    architecture: 'distilbert',
    shape: '6 layers × 768',
    parametersMillions: 65.2,
    approxSizeMB: 261,
    qaTuned: true,
    squadV2: false,
    uncased: false,
    cpuTraining: 'needs-gpu',
    scores: { dataset: 'SQuAD v1.1', split: 'dev', f1: 87.1, source: 'https://huggingface.co/distilbert/distilbert-base-cased-distilled-squad' },
    license: 'apache-2.0',
    note: 'Strong answers out of the box; training it needs the accelerated engine or the exported recipe.',
  },
  {
    id: 'deepset/bert-base-uncased-squad2',
    label: 'BERT base uncased SQuAD 2.0 (deepset)',
    architecture: 'bert',
    shape: '12 layers × 768',
    parametersMillions: 109.5,
    approxSizeMB: 438,
    qaTuned: true,
    squadV2: true,
    uncased: true,
    cpuTraining: 'needs-gpu',
    scores: { dataset: 'SQuAD v2.0', split: 'dev', exactMatch: 75.65, f1: 78.62, source: 'https://huggingface.co/deepset/bert-base-uncased-squad2' },
    license: 'cc-by-4.0',
  },
  {
    id: 'csarron/bert-base-uncased-squad-v1',
    label: 'BERT base uncased SQuAD 1.1 (csarron)',
    architecture: 'bert',
    shape: '12 layers × 768',
    parametersMillions: 109.5,
    approxSizeMB: 438,
    qaTuned: true,
    squadV2: false,
    uncased: true,
    cpuTraining: 'needs-gpu',
    license: 'mit',
  },
  {
    id: 'google/bert_uncased_L-4_H-256_A-4',
    label: 'BERT-Mini (Google), not QA-tuned',
    architecture: 'bert',
    shape: '4 layers × 256',
    parametersMillions: 11.2,
    approxSizeMB: 45,
    qaTuned: false,
    squadV2: false,
    uncased: true,
    cpuTraining: 'usable',
    license: 'apache-2.0',
    note: 'A pretrained encoder without a QA head: fine-tune it on SQuAD-style data first.',
  },
  {
    id: 'microsoft/MiniLM-L12-H384-uncased',
    label: 'MiniLM-L12-H384 (Microsoft), not QA-tuned',
    architecture: 'bert',
    shape: '12 layers × 384',
    parametersMillions: 33.4,
    approxSizeMB: 134,
    qaTuned: false,
    squadV2: false,
    uncased: true,
    cpuTraining: 'slow',
    license: 'mit',
  },
  {
    id: 'distilbert/distilbert-base-uncased',
    label: 'DistilBERT base uncased, not QA-tuned',
    architecture: 'distilbert',
    shape: '6 layers × 768',
    parametersMillions: 66.4,
    approxSizeMB: 265,
    qaTuned: false,
    squadV2: false,
    uncased: true,
    cpuTraining: 'needs-gpu',
    license: 'apache-2.0',
  },
  {
    id: 'google-bert/bert-base-uncased',
    label: 'BERT base uncased, not QA-tuned',
    architecture: 'bert',
    shape: '12 layers × 768',
    parametersMillions: 109.5,
    approxSizeMB: 438,
    qaTuned: false,
    squadV2: false,
    uncased: true,
    cpuTraining: 'needs-gpu',
    license: 'apache-2.0',
  },
];

/** One line for a picker: size, architecture, QA state and published scores. */
export function describeCatalogueEntry(entry: CatalogueEntry): string {
  const parts = [`${entry.approxSizeMB} MB`, `${entry.architecture === 'distilbert' ? 'DistilBERT' : 'BERT'} ${entry.shape}`];
  parts.push(entry.qaTuned ? `QA-tuned (${entry.squadV2 ? 'SQuAD 2.0' : 'SQuAD 1.1'})` : 'not QA-tuned');
  if (entry.scores) {
    const figures = [entry.scores.exactMatch !== undefined ? `EM ${entry.scores.exactMatch}` : '', entry.scores.f1 !== undefined ? `F1 ${entry.scores.f1}` : '']
      .filter(Boolean)
      .join(' / ');
    parts.push(`${figures} on ${entry.scores.dataset} ${entry.scores.split}`);
  }
  parts.push({ fast: 'fast on CPU', usable: 'usable on CPU', slow: 'slow on CPU', 'needs-gpu': 'GPU recommended for training' }[entry.cpuTraining]);
  return parts.join(' · ');
}

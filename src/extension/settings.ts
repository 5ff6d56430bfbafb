/** The `spantune.*` settings, read fresh each time (users change them while the extension runs). */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineBackend, ProviderName } from '../engine/backend/names';
import { documentGlobs } from '../engine/generate/formats';
import { TRAINING_DEFAULTS } from '../engine/train/defaults';

export interface SpanTuneSettings {
  baseModel: string;
  datasetPath: string;
  learningRate: number;
  epochs: number;
  maxSteps: number;
  batchSize: number;
  maxSeqLength: number;
  docStride: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  gradientAccumulation: number;
  /** Validate every this many steps too (undefined: only at each epoch's end). */
  evalEvery: number | undefined;
  /** Stop after this many validations without a better F1 (undefined: never). */
  earlyStoppingPatience: number | undefined;
  /** Overrides every dropout rate of the model (undefined: the model's own). */
  dropout: number | undefined;
  validationSplit: number;
  /** For training, answering and evaluating: ONNX Runtime ('onnx'), a TensorFlow.js backend, or undefined (auto). */
  backend: EngineBackend | undefined;
  provider: ProviderName | undefined;
  /** ONNX Runtime CPU threads; undefined: one per physical core. */
  threads: number | undefined;
  include: string[];
  exclude: string[];
  includeUnreviewed: boolean;
  seed: number;
  /** Unanswerable generated pairs, as a share of the answerable ones (0 to 1). */
  generateNegatives: number;
  generateMaxPerPassage: number;
  /** With an active model: drop the pairs that fail the round trip, mark them, or skip the round trip. */
  generateRoundTrip: 'drop' | 'mark' | 'off';
  generateRoundTripMinF1: number;
  /** Caps of generation with a language model. */
  generateLanguageModel: { questionsPerPassage: number; maxRequests: number; maxTokens: number };
}

export function readSettings(): SpanTuneSettings {
  const c = vscode.workspace.getConfiguration('spantune');
  const backend = c.get<string>('backend', 'auto');
  const engineBackend = backend === 'auto' ? undefined : (backend as EngineBackend);
  const provider = c.get<string>('provider', 'auto');
  const threads = c.get<number>('threads', 0);
  return {
    baseModel: c.get<string>('baseModel', ''),
    datasetPath: c.get<string>('datasetPath', '.spantune/dataset.json'),
    learningRate: c.get<number>('learningRate', 3e-5),
    epochs: c.get<number>('epochs', 2),
    maxSteps: c.get<number>('maxSteps', 0),
    batchSize: c.get<number>('batchSize', 8),
    maxSeqLength: c.get<number>('maxSeqLength', 384),
    docStride: c.get<number>('docStride', 128),
    warmupRatio: c.get<number>('warmupRatio', TRAINING_DEFAULTS.warmupRatio),
    weightDecay: c.get<number>('weightDecay', TRAINING_DEFAULTS.weightDecay),
    maxGradNorm: c.get<number>('maxGradNorm', TRAINING_DEFAULTS.maxGradNorm),
    gradientAccumulation: c.get<number>('gradientAccumulation', TRAINING_DEFAULTS.gradAccum),
    evalEvery: c.get<number>('evalEvery', 0) || undefined,
    earlyStoppingPatience: c.get<number>('earlyStoppingPatience', 0) || undefined,
    dropout: c.get<number | null>('dropout', null) ?? undefined,
    validationSplit: c.get<number>('validationSplit', 0.2),
    backend: engineBackend,
    provider: provider === 'auto' ? undefined : (provider as ProviderName),
    threads: Number.isInteger(threads) && threads > 0 ? threads : undefined,
    include: c.get<string[]>('include', documentGlobs()),
    exclude: c.get<string[]>('exclude', ['**/node_modules/**', '**/.git/**', '.spantune/**']),
    includeUnreviewed: c.get<boolean>('includeUnreviewed', false),
    seed: c.get<number>('seed', 42),
    generateNegatives: c.get<number>('generate.negatives', 0),
    generateMaxPerPassage: c.get<number>('generate.maxPerPassage', 10),
    generateRoundTrip: c.get<'drop' | 'mark' | 'off'>('generate.roundTrip', 'drop'),
    generateRoundTripMinF1: c.get<number>('generate.roundTripMinF1', 0.5),
    generateLanguageModel: {
      questionsPerPassage: c.get<number>('generate.languageModel.questionsPerPassage', 5),
      maxRequests: c.get<number>('generate.languageModel.maxRequests', 100),
      maxTokens: c.get<number>('generate.languageModel.maxTokens', 200_000),
    },
  };
}

export function workspaceRoot(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** A settings path made absolute against the workspace folder. */
export function resolveInWorkspace(folder: vscode.WorkspaceFolder, p: string): string {
  return path.isAbsolute(p) ? p : path.join(folder.uri.fsPath, p);
}

/** Workspace-relative path with forward slashes, or undefined for files outside the folder. */
export function relativeDocumentPath(folder: vscode.WorkspaceFolder, uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  const rel = path.relative(folder.uri.fsPath, uri.fsPath);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

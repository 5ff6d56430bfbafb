/**
 * Shared material for the training tests: paths of the shared fixtures, temporary folders, XQuAD
 * subsets, a seeded generated span task ("The capital of X is Y."), random-weight BERT checkpoints
 * written in Hugging Face layout, and an engine process started from source with its events collected.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

import { EngineClient } from '../../src/engine/process/client';
import type { EngineEvent, TrainSettings } from '../../src/engine/process/protocol';
import type { SquadDataset } from '../../src/engine/squad/types';
import { Rng } from '../../src/engine/train/rng';

export const repoRoot = path.resolve(__dirname, '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const tinyBertDir = path.join(sharedDir, 'fixtures/models/tiny-bert-qa');
export const tinyDistilBertDir = path.join(sharedDir, 'fixtures/models/tiny-distilbert-qa');
export const xquadPath = path.join(sharedDir, 'data/xquad-en/xquad.en.json');

const createdDirs: string[] = [];
after(() => {
  for (const dir of createdDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(label = 'training'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `spantune-${label}-`));
  createdDirs.push(dir);
  return dir;
}

export function writeJson(file: string, value: unknown): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(value));
  return file;
}

/** The first `paragraphs` paragraphs of XQuAD's first article (each with its 12–17 questions). */
export function xquadSubset(paragraphs: number, options: { questionsPerParagraph?: number; skipParagraphs?: number } = {}): SquadDataset {
  const full = JSON.parse(readFileSync(xquadPath, 'utf8')) as SquadDataset;
  const first = full.data[0]!;
  const skip = options.skipParagraphs ?? 0;
  return {
    version: full.version,
    data: [
      {
        title: first.title,
        paragraphs: first.paragraphs.slice(skip, skip + paragraphs).map((p) => ({ ...p, qas: p.qas.slice(0, options.questionsPerParagraph ?? p.qas.length) })),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The generated span task. Every word below is one WordPiece of bert-base-uncased (checked by
// learning.test.ts), so answers are whole tokens and tokenization never blurs a span. Each template
// has its own kind of answer (cities, months, jobs, colours, animals), and its question names that
// kind ("Which city ...?"), as many real questions do.

const PEOPLE = ['john', 'mary', 'peter', 'susan', 'david', 'laura', 'james', 'anna', 'thomas', 'emma', 'george', 'alice', 'henry', 'julia', 'paul', 'sarah', 'frank', 'helen', 'oliver', 'grace'];
const PLACES = ['paris', 'london', 'berlin', 'madrid', 'rome', 'vienna', 'dublin', 'oslo', 'prague', 'lisbon', 'athens', 'warsaw', 'cairo', 'tokyo', 'moscow', 'boston', 'chicago', 'denver', 'seattle', 'sydney'];
const COUNTRIES = ['france', 'spain', 'italy', 'norway', 'sweden', 'poland', 'egypt', 'japan', 'china', 'india', 'brazil', 'chile', 'peru', 'kenya', 'canada', 'mexico', 'greece', 'turkey', 'iran', 'cuba'];
const COLORS = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'brown', 'purple', 'orange', 'pink', 'gray', 'gold', 'silver'];
const JOBS = ['teacher', 'doctor', 'farmer', 'lawyer', 'pilot', 'nurse', 'writer', 'singer', 'painter', 'baker', 'soldier', 'engineer', 'driver', 'judge'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const ANIMALS = ['dog', 'cat', 'horse', 'rabbit', 'tiger', 'lion', 'wolf', 'bear', 'snake', 'eagle', 'mouse', 'goat', 'sheep', 'fox'];

interface FactTemplate {
  subjects: readonly string[];
  objects: readonly string[];
  fact: (subject: string, object: string) => string;
  question: (subject: string) => string;
}

export const FACT_TEMPLATES: readonly FactTemplate[] = [
  { subjects: COUNTRIES, objects: PLACES, fact: (s, o) => `The capital of ${s} is ${o}.`, question: (s) => `Which city is the capital of ${s}?` },
  { subjects: PEOPLE, objects: MONTHS, fact: (s, o) => `${s} was born in ${o}.`, question: (s) => `In which month was ${s} born?` },
  { subjects: PEOPLE, objects: JOBS, fact: (s, o) => `${s} works as a ${o}.`, question: (s) => `Which job does ${s} have?` },
  { subjects: PEOPLE, objects: COLORS, fact: (s, o) => `${s} painted the house ${o}.`, question: (s) => `Which color did ${s} paint the house?` },
  { subjects: PEOPLE, objects: ANIMALS, fact: (s, o) => `${s} owns a ${o}.`, question: (s) => `Which animal does ${s} own?` },
];

/** Every word the generated task uses as an entity, for the tokenization check. */
export const FACT_WORDS: readonly string[] = [...PEOPLE, ...PLACES, ...COUNTRIES, ...MONTHS, ...COLORS, ...JOBS, ...ANIMALS];

export interface FactDatasetOptions {
  seed: number;
  contexts: number;
  factsPerContext?: number;
  questionsPerContext?: number;
  /** Prefix of question ids, so that train and validation ids never collide. */
  idPrefix?: string;
  /** Let a context repeat a template (then a question must be matched by its subject). Default false. */
  repeatTemplates?: boolean;
}

/**
 * Contexts of a few facts with distinct subjects, each fact of another template unless asked otherwise
 * (so the question's wording picks the sentence); each question asks about one fact of its context.
 */
export function generateFactDataset(options: FactDatasetOptions): SquadDataset {
  const rng = new Rng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[rng.nextInt(items.length)]!;
  const factsPerContext = options.factsPerContext ?? 4;
  const questionsPerContext = Math.min(options.questionsPerContext ?? 2, factsPerContext);
  const paragraphs = Array.from({ length: options.contexts }, (_, c) => {
    const used = new Set<string>();
    const facts: { template: FactTemplate; subject: string; object: string }[] = [];
    const templates = options.repeatTemplates ? FACT_TEMPLATES.map(() => pick(FACT_TEMPLATES)) : rng.shuffle([...FACT_TEMPLATES]);
    while (facts.length < factsPerContext) {
      const template = templates[facts.length % templates.length]!;
      const subject = pick(template.subjects);
      if (used.has(subject)) continue;
      used.add(subject);
      facts.push({ template, subject, object: pick(template.objects) });
    }
    const capitalise = (s: string) => s[0]!.toUpperCase() + s.slice(1);
    let context = '';
    const spans: { start: number; text: string }[] = [];
    for (const { template, subject, object } of facts) {
      const sentence = capitalise(template.fact(capitalise(subject), capitalise(object)));
      const objectText = capitalise(object);
      // The object is the last word of every sentence: find it from the end, past the final period.
      const offset = sentence.lastIndexOf(objectText);
      if (context) context += ' ';
      spans.push({ start: context.length + offset, text: objectText });
      context += sentence;
    }
    const asked = rng.shuffle(facts.map((_, i) => i)).slice(0, questionsPerContext);
    const qas = asked.map((i) => ({
      id: `${options.idPrefix ?? 'fact'}-${c}-${i}`,
      question: facts[i]!.template.question(capitalise(facts[i]!.subject)),
      answers: [{ text: spans[i]!.text, answer_start: spans[i]!.start }],
    }));
    return { context, qas };
  });
  return { version: '1.1', data: [{ title: 'generated facts', paragraphs }] };
}

export { writeRandomBertCheckpoint, type RandomBertOptions } from './random-bert';

/** Every token of the generated task's texts (lower-cased words and punctuation), for a small vocabulary. */
export function factVocabulary(): string[] {
  const words = new Set<string>(FACT_WORDS);
  for (const template of FACT_TEMPLATES) {
    for (const text of [template.fact('x', 'y'), template.question('x')]) {
      for (const token of text.toLowerCase().match(/[a-z]+|[^\sa-z]/g) ?? []) if (token !== 'x' && token !== 'y') words.add(token);
    }
  }
  return [...words];
}

// ---------------------------------------------------------------------------------------------
// The engine process.

/** An engine client running the engine from source (no build needed). */
export function sourceEngine(onEvent?: (event: EngineEvent) => void, output?: string[]): EngineClient {
  return new EngineClient({
    enginePath: path.join(repoRoot, 'src/engine/process/engine-process.ts'),
    execArgv: ['--import', 'tsx'],
    onEvent,
    onOutput: (line) => output?.push(line),
  });
}

/** Settings for a quick run on the fixture model; tests override what they look at. */
export function quickSettings(overrides: Partial<TrainSettings> & Pick<TrainSettings, 'trainFile' | 'outputDir'>): TrainSettings {
  return {
    modelDir: tinyBertDir,
    epochs: 1,
    batchSize: 4,
    gradAccum: 1,
    learningRate: 1e-3,
    warmupRatio: 0,
    weightDecay: 0.01,
    maxGradNorm: 1,
    seed: 7,
    dropout: 0,
    maxSeqLength: 96,
    docStride: 32,
    maxQueryLength: 32,
    version2WithNegative: false,
    backend: 'onnx',
    ...overrides,
  };
}

export type JobEnd = Extract<EngineEvent, { type: 'finished' | 'cancelled' | 'failed' }>;

export interface TrainingJob {
  jobId: string;
  /** Every event of the job, in order (log events included). */
  events: EngineEvent[];
  /** Resolves with the job's last event. */
  done: Promise<JobEnd>;
}

/**
 * Runs one training job on `client`, whose events the caller routes through `router` (the client is
 * built with router.dispatch as its onEvent). `onEvent` sees each event of the job as it arrives.
 */
export class EventRouter {
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  readonly dispatch = (event: EngineEvent): void => {
    for (const listener of [...this.listeners]) listener(event);
  };

  train(client: EngineClient, settings: TrainSettings, onEvent?: (event: EngineEvent, jobId: string) => void): TrainingJob {
    const events: EngineEvent[] = [];
    let jobId = '';
    const pending: EngineEvent[] = [];
    let resolveDone!: (event: JobEnd) => void;
    const done = new Promise<JobEnd>((resolve) => (resolveDone = resolve));
    const listener = (event: EngineEvent) => {
      if (!jobId) return void pending.push(event);
      if ('jobId' in event && event.jobId !== jobId) return;
      events.push(event);
      onEvent?.(event, jobId);
      if (event.type === 'finished' || event.type === 'cancelled' || event.type === 'failed') {
        this.listeners.delete(listener);
        resolveDone(event);
      }
    };
    this.listeners.add(listener);
    jobId = client.train(settings);
    // Events cannot arrive before train() returns (IPC is asynchronous), but be safe.
    pending.splice(0).forEach(listener);
    return { jobId, events, done };
  }
}

export function eventsOf<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

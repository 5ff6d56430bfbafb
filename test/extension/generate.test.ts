/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GenerateReport } from '../../src/extension/commands/generate';
import { VsCodeChat } from '../../src/extension/commands/language-model';
import type { DatasetPanel } from '../../src/extension/webviews/dataset-panel';
import { activateSpanTune, workspaceFile } from './helpers';

const GLOSSARY = [
  '# Glossary',
  '',
  'A checkpoint is a folder that holds the weights, the configuration and the tokenizer files of a model.',
  '',
  'The learning rate is the size of each optimizer step. SpanTune uses a learning rate of 3e-5 by default.',
  '',
  '## Sequence length',
  '',
  'The maximum sequence length is 384 tokens. Longer passages are split into windows with a stride of 128 tokens.',
  '',
].join('\n');

type Qa = { id: string; question: string; origin: string; reviewed: boolean; generator?: string; is_impossible: boolean; answers: { text: string; answer_start: number }[] };
type Paragraph = { context: string; source?: { path: string; start: number; end: number }; qas: Qa[] };

async function savedParagraphs(): Promise<Paragraph[]> {
  const saved = JSON.parse(await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8'));
  return (saved.data as { paragraphs: Paragraph[] }[]).flatMap((a) => a.paragraphs);
}

async function glossaryParagraphs(): Promise<Paragraph[]> {
  return (await savedParagraphs()).filter((p) => p.source?.path === 'docs/glossary.md');
}

/** Generated pairs in the saved dataset, from every document of the workspace. */
async function generatedCount(): Promise<number> {
  return (await savedParagraphs()).flatMap((p) => p.qas).filter((qa) => qa.origin === 'generated').length;
}

suite('Generate QA Pairs from Workspace', () => {
  const file = () => workspaceFile('docs/glossary.md');
  let addedFirst = 0;

  suiteSetup(async () => {
    await writeFile(file().fsPath, GLOSSARY);
    await vscode.workspace.getConfiguration('spantune').update('generate.negatives', 0.5, vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('spantune').update('generate.negatives', undefined, vscode.ConfigurationTarget.Workspace);
    await rm(file().fsPath, { force: true });
  });

  test('adds generated, unreviewed pairs whose answers are the file text at their offsets', async () => {
    await activateSpanTune();
    const generatedBefore = await generatedCount();
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.ok(report, 'the command reports what it did');
    assert.ok(report.added >= 3, `${report.added} pairs added`);
    assert.ok(report.stats.negatives >= 1, 'unanswerable pairs for spantune.generate.negatives = 0.5');
    assert.equal(await generatedCount(), generatedBefore + report.added, 'every pair reported is saved');
    addedFirst = report.added;
    const paragraphs = await glossaryParagraphs();
    const qas = paragraphs.flatMap((p) => p.qas);
    assert.ok(qas.length >= 3, `${qas.length} pairs from docs/glossary.md`);
    let answered = 0;
    for (const paragraph of paragraphs) {
      const source = paragraph.source!;
      assert.equal(GLOSSARY.slice(source.start, source.end), paragraph.context, 'the passage is the file text at its range');
      for (const qa of paragraph.qas) {
        assert.equal(qa.origin, 'generated');
        assert.equal(qa.reviewed, false);
        assert.ok(qa.generator, 'the generator is named');
        for (const answer of qa.answers) {
          const at = source.start + answer.answer_start;
          assert.equal(GLOSSARY.slice(at, at + answer.text.length), answer.text, `answer of "${qa.question}"`);
          answered++;
        }
      }
    }
    assert.ok(answered >= 2);
    assert.ok(qas.some((q) => q.is_impossible && q.answers.length === 0));
  });

  test('running it again adds no duplicates', async () => {
    const before = await generatedCount();
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.equal(report?.added, 0);
    assert.equal(report?.duplicates, addedFirst, 'every pair generated again is already there');
    assert.equal(await generatedCount(), before);
  });

  test('the Dataset panel accepts one pair and rejects the rest in bulk; training leaves unreviewed pairs out', async () => {
    const api = await activateSpanTune();
    const panel = await vscode.commands.executeCommand<DatasetPanel>('spantune.openDataset');
    assert.ok(panel, 'the panel opened');
    const ids = (await glossaryParagraphs()).flatMap((p) => p.qas.map((q) => q.id));
    const { buildTrainingSets } = await import('../../src/extension/logic/workspace-dataset');
    const trainingIds = (includeUnreviewed: boolean) =>
      buildTrainingSets(api.store!.dataset, { includeUnreviewed, validationFraction: 0 }).train.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)));
    assert.ok(!trainingIds(false).some((id) => ids.includes(id)), 'unreviewed pairs are not trained on');
    assert.ok(ids.every((id) => trainingIds(true).includes(id)), 'unless spantune.includeUnreviewed');

    await panel.handle({ type: 'review', id: ids[0]!, accept: true });
    await panel.handle({ type: 'reviewMany', ids: ids.slice(1), accept: false });
    let left = (await glossaryParagraphs()).flatMap((p) => p.qas);
    assert.deepEqual(left.map((q) => [q.id, q.reviewed]), [[ids[0], true]]);
    assert.ok(trainingIds(false).includes(ids[0]!), 'an accepted pair is trained on');

    await panel.handle({ type: 'delete', id: ids[0]! });
    left = (await glossaryParagraphs()).flatMap((p) => p.qas);
    assert.equal(left.length, 0);
    panel.panel.dispose();
  });
});

const NORMANS = [
  '# The Normans',
  '',
  'The Normans were a people who settled in Normandy. In 1066, the Normans invaded England. William the Conqueror led the invasion with 7,000 men.',
  '',
  '## Trade',
  '',
  'The town market opened in 1180 and sold wool and salt. A merchant is a person who buys and sells goods. The merchants paid $300 in taxes each year.',
  '',
].join('\n');

type Checked = Qa & { roundTrip?: { model: string; answer: string; f1: number; passed: boolean } };

async function paragraphsOf(file: string): Promise<(Omit<Paragraph, 'qas'> & { qas: Checked[] })[]> {
  const saved = JSON.parse(await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8'));
  return (saved.data as { paragraphs: (Omit<Paragraph, 'qas'> & { qas: Checked[] })[] }[]).flatMap((a) => a.paragraphs).filter((p) => p.source?.path === file);
}

async function setGenerateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('spantune').update(`generate.${key}`, value, vscode.ConfigurationTarget.Workspace);
}

suite('Generation in the engine process: round trip and review at scale', () => {
  const files = ['docs/normans.md', 'docs/normans-again.md'];
  let modelCopy = '';

  suiteSetup(async () => {
    await writeFile(workspaceFile(files[0]!).fsPath, NORMANS);
    const api = await activateSpanTune();
    const fixture = process.env.SPANTUNE_FIXTURE_MODEL;
    assert.ok(fixture, 'SPANTUNE_FIXTURE_MODEL names the fixture model');
    // A copy of its own: answering keeps the built ONNX graph in the model folder, which other suites read as files.
    modelCopy = await mkdtemp(path.join(tmpdir(), 'spantune-roundtrip-'));
    const model = path.join(modelCopy, 'tiny-bert-qa');
    await cp(fixture, model, { recursive: true, filter: (source) => path.basename(source) !== 'onnx' });
    await api.training!.setActiveModel(model);
  });

  suiteTeardown(async () => {
    const api = await activateSpanTune();
    await api.training!.setActiveModel(undefined);
    await setGenerateSetting('roundTrip', undefined);
    await setGenerateSetting('roundTripMinF1', undefined);
    for (const file of files) await rm(workspaceFile(file).fsPath, { force: true });
    if (modelCopy) await rm(modelCopy, { recursive: true, force: true });
  });

  test('with the active model and roundTrip "mark", the engine process answers every generated question and each pair records the result', async () => {
    const api = await activateSpanTune();
    await setGenerateSetting('roundTrip', 'mark');
    const engineEvents: string[] = [];
    const listening = api.engine.onEvent((event) => engineEvents.push(event.type));
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    listening.dispose();
    assert.ok(report?.roundTrip, 'the round trip ran');
    assert.ok(engineEvents.includes('generated'), 'the generation ran as a job of the engine process');
    assert.equal(report.roundTrip.model, 'tiny-bert-qa');
    assert.equal(report.roundTrip.dropped, 0);
    assert.equal(report.roundTrip.checked, report.stats.pairs);
    const qas = (await paragraphsOf('docs/normans.md')).flatMap((p) => p.qas.map((qa) => ({ qa, context: p.context })));
    assert.ok(qas.length >= 3, `${qas.length} pairs from docs/normans.md`);
    for (const { qa, context } of qas) {
      assert.ok(qa.roundTrip, `"${qa.question}" has a round-trip result`);
      assert.ok(context.includes(qa.roundTrip.answer), 'the model answered with a span of the passage');
      assert.equal(qa.roundTrip.passed, qa.roundTrip.f1 >= 0.5);
      assert.equal(qa.reviewed, false, 'pairs stay unreviewed until accepted');
    }
  });

  test('with roundTrip "drop", only the pairs that pass are added, and the report says how many were dropped', async () => {
    await setGenerateSetting('roundTrip', 'drop');
    await setGenerateSetting('roundTripMinF1', 0.2);
    // The same text in a new file: its passages are new, so its pairs are no duplicates (those of docs/normans.md are).
    await writeFile(workspaceFile(files[1]!).fsPath, NORMANS);
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.ok(report?.roundTrip);
    assert.equal(report.roundTrip.dropped, report.roundTrip.checked - report.roundTrip.passed);
    assert.ok(report.roundTrip.dropped > 0, 'the random fixture model fails most pairs');
    const kept = (await paragraphsOf('docs/normans-again.md')).flatMap((p) => p.qas);
    assert.equal(kept.length, (await paragraphsOf('docs/normans.md')).flatMap((p) => p.qas).filter((qa) => qa.roundTrip!.f1 >= 0.2).length, 'the same pairs pass as in the marked run');
    assert.ok(kept.every((qa) => qa.roundTrip?.passed && qa.roundTrip.f1 >= 0.2));
  });

  test('the Dataset panel shows each pair\'s generator and round-trip result and accepts, in bulk, only the unreviewed pairs that passed', async () => {
    const api = await activateSpanTune();
    const context = 'Rotterdam is the largest port in Europe. It handled 440 million tonnes of cargo in 2022.';
    const qa = (id: string, answer: string, roundTrip?: { f1: number; passed: boolean }) => ({
      id, question: `Question ${id}?`, answers: [{ text: answer, answer_start: context.indexOf(answer) }], is_impossible: false,
      origin: 'generated', reviewed: false, generator: id.startsWith('llm') ? 'llm' : 'entity',
      ...(roundTrip ? { roundTrip: { model: 'run 1', answer: 'Rotterdam', ...roundTrip } } : {}),
    });
    const incoming = { version: 'v2.0', data: [{ title: 'ports.md', paragraphs: [{ context, qas: [qa('rt-pass', 'Rotterdam', { f1: 1, passed: true }), qa('llm-pass', '2022', { f1: 0.5, passed: true }), qa('rt-fail', '440 million tonnes', { f1: 0, passed: false }), qa('rt-none', 'Europe')] }] }] };
    const importFile = workspaceFile('.spantune/ports-import.json');
    await writeFile(importFile.fsPath, JSON.stringify(incoming));
    await vscode.commands.executeCommand('spantune.importDataset', importFile.fsPath);
    await rm(importFile.fsPath);

    const panel = await vscode.commands.executeCommand<DatasetPanel>('spantune.openDataset');
    assert.ok(panel);
    const posted: { type: string; entries?: { id: string; generator?: string; roundTrip?: { passed: boolean; f1: number } }[] }[] = [];
    const webview = panel.panel.webview;
    const post = webview.postMessage.bind(webview);
    webview.postMessage = (message: (typeof posted)[number]) => (posted.push(message), post(message));
    await panel.handle({ type: 'ready' });
    const entries = new Map(posted.find((m) => m.type === 'state')!.entries!.map((e) => [e.id, e]));
    assert.equal(entries.get('llm-pass')?.generator, 'llm');
    assert.deepEqual(entries.get('rt-fail')?.roundTrip && { passed: entries.get('rt-fail')!.roundTrip!.passed, f1: entries.get('rt-fail')!.roundTrip!.f1 }, { passed: false, f1: 0 });
    assert.equal(entries.get('rt-none')?.roundTrip, undefined);

    const reviewed = () => Object.fromEntries(api.store!.dataset.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas)).filter((q) => q.id.startsWith('rt-') || q.id.startsWith('llm-')).map((q) => [q.id, q.reviewed]));
    await panel.handle({ type: 'acceptPassed', ids: ['llm-pass', 'rt-fail', 'rt-none'] });
    assert.deepEqual(reviewed(), { 'rt-pass': false, 'llm-pass': true, 'rt-fail': false, 'rt-none': false });
    await panel.handle({ type: 'acceptPassed' });
    assert.deepEqual(reviewed(), { 'rt-pass': true, 'llm-pass': true, 'rt-fail': false, 'rt-none': false });
    const saved = JSON.parse(await readFile(workspaceFile('.spantune/dataset.json').fsPath, 'utf8')) as { data: { paragraphs: { qas: { id: string; reviewed: boolean }[] }[] }[] };
    assert.equal(saved.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas)).find((q) => q.id === 'rt-pass')?.reviewed, true, 'saved to the dataset file');
    await panel.handle({ type: 'reviewMany', ids: ['rt-pass', 'llm-pass', 'rt-fail', 'rt-none'], accept: false });
    panel.panel.dispose();
  });
});

/** A chat model as VS Code's Language Model API hands one out, answering from the passage it is sent. */
class FakeChatModel implements vscode.LanguageModelChat {
  readonly id = 'fake-lm';
  readonly name = 'Fake LM';
  readonly vendor = 'spantune-tests';
  readonly family = 'fake';
  readonly version = '1';
  readonly maxInputTokens = 8000;
  readonly prompts: string[] = [];
  failWith: Error | undefined;

  async sendRequest(messages: vscode.LanguageModelChatMessage[]): Promise<vscode.LanguageModelChatResponse> {
    const prompt = messages.map((m) => m.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('')).join('\n');
    this.prompts.push(prompt);
    if (this.failWith) throw this.failWith;
    const passage = /"""\n([\s\S]*)\n"""/.exec(prompt)?.[1] ?? '';
    const name = /\b[A-Z][a-z]{3,}\b/.exec(passage)?.[0];
    const reply = JSON.stringify({ pairs: [...(name ? [{ question: 'Which name does the passage give first?', answer: name }] : []), { question: 'What colour is the sky there?', answer: 'a deep blue' }] });
    async function* chunks() {
      yield reply.slice(0, 10);
      yield reply.slice(10);
    }
    return { text: chunks(), stream: (async function* () {})() } as vscode.LanguageModelChatResponse;
  }

  async countTokens(text: string | vscode.LanguageModelChatMessage): Promise<number> {
    return Math.ceil((typeof text === 'string' ? text.length : 100) / 4);
  }
}

suite('Generation with a VS Code language model (a fake chat model through the extension\'s seam)', () => {
  // VS Code 1.100 has no stable API to register a chat model provider (it is a proposed API there),
  // so the fake model is handed to the extension through LanguageModelChoice.source.
  const fake = new FakeChatModel();
  let answer = false;

  suiteSetup(async () => {
    const api = await activateSpanTune();
    api.languageModel.source = { select: async (selector) => (!selector?.id || selector.id === fake.id ? [fake] : []) };
    api.languageModel.confirm = async () => answer;
    await setGenerateSetting('roundTrip', 'off');
    await writeFile(workspaceFile('docs/normans.md').fsPath, NORMANS);
  });

  suiteTeardown(async () => {
    const api = await activateSpanTune();
    await vscode.commands.executeCommand('spantune.chooseLanguageModel', 'none');
    api.languageModel.source = { select: (selector) => vscode.lm.selectChatModels(selector) };
    await setGenerateSetting('roundTrip', undefined);
    await rm(workspaceFile('docs/normans.md').fsPath, { force: true });
  });

  test('without the user\'s yes for this workspace, no document is sent', async () => {
    const api = await activateSpanTune();
    answer = false;
    await vscode.commands.executeCommand('spantune.chooseLanguageModel', fake.id);
    assert.equal(api.languageModel.consent, undefined);
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.ok(report);
    assert.equal(report.languageModel, undefined);
    assert.equal(fake.prompts.length, 0, 'the model was never asked');
  });

  test('with the yes remembered, the chosen model writes pairs whose answers are exact spans of the files', async () => {
    const api = await activateSpanTune();
    answer = true;
    await vscode.commands.executeCommand('spantune.chooseLanguageModel', fake.id);
    assert.equal(api.languageModel.consent?.id, fake.id);
    // Remembered for the workspace: a second choice is not needed, and no question is asked again.
    answer = false;
    const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
    assert.ok(report?.languageModel, 'the language model ran');
    assert.equal(report.languageModel.model, 'Fake LM (spantune-tests)');
    assert.equal(report.languageModel.requests, fake.prompts.length);
    assert.ok(report.languageModel.pairs >= 2, `${report.languageModel.pairs} pairs from the model`);
    assert.ok(report.languageModel.notInPassage >= 1, 'the answer that is not in the passage was dropped');
    const saved = await paragraphsOf('docs/normans.md');
    const llm = saved.flatMap((p) => p.qas.filter((qa) => qa.generator === 'llm').map((qa) => ({ qa, p })));
    assert.ok(llm.length >= 1);
    for (const { qa, p } of llm) {
      const at = p.source!.start + qa.answers[0]!.answer_start;
      assert.equal(NORMANS.slice(at, at + qa.answers[0]!.text.length), qa.answers[0]!.text);
      assert.equal(qa.reviewed, false);
    }
  });

  test('a model that refuses stops generation with its reason and leaves the dataset as it was', async () => {
    const api = await activateSpanTune();
    await rm(workspaceFile('docs/normans.md').fsPath);
    await writeFile(workspaceFile('docs/normans-b.md').fsPath, NORMANS);
    const before = JSON.stringify(api.store!.dataset);
    fake.failWith = vscode.LanguageModelError.NoPermissions('the user declined');
    const asked = fake.prompts.length;
    try {
      const report = await vscode.commands.executeCommand<GenerateReport>('spantune.generate');
      assert.equal(report, undefined, 'the command failed (its error is shown to the user)');
    } finally {
      fake.failWith = undefined;
      await rm(workspaceFile('docs/normans-b.md').fsPath, { force: true });
    }
    assert.ok(fake.prompts.length > asked, 'the model was asked');
    assert.equal(JSON.stringify(api.store!.dataset), before);
    // The reason the user reads: VS Code's error explained.
    fake.failWith = vscode.LanguageModelError.NoPermissions('the user declined');
    await assert.rejects(new VsCodeChat(fake).complete({ system: 's', user: 'u', maxTokens: 10 }), (error: Error) => error.message === 'VS Code did not let SpanTune use Fake LM (spantune-tests) (the user declined); allow it when VS Code asks, or choose another model');
    fake.failWith = vscode.LanguageModelError.Blocked('quota exceeded');
    await assert.rejects(new VsCodeChat(fake).complete({ system: 's', user: 'u', maxTokens: 10 }), /Fake LM \(spantune-tests\) refused the request \(quota exceeded\)/);
    fake.failWith = undefined;
  });
});

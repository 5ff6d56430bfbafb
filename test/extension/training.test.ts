/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnswerView } from '../../src/extension/webviews/qa-panel';
import { activateSpanTune, selectText, waitFor } from './helpers';

async function configure(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('spantune');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Workspace);
}

suite('Fine-tuning and asking with the tiny fixture model', () => {
  suiteSetup(async () => {
    const model = process.env.SPANTUNE_FIXTURE_MODEL;
    assert.ok(model && existsSync(path.join(model, 'config.json')), `fixture model at ${model}`);
    await configure({ baseModel: model, maxSeqLength: 128, docStride: 64, batchSize: 2, epochs: 2, learningRate: 1e-3, validationSplit: 0, includeUnreviewed: true });
    const api = await activateSpanTune();
    await selectText('docs/tokenizer.md', 'WordPiece units');
    await vscode.commands.executeCommand('spantune.addQuestion', 'What units does the tokenizer produce?');
    await selectText('docs/training.md', 'exact match and F1');
    const held = await vscode.commands.executeCommand<string>('spantune.addQuestion', 'What does validation report?');
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    const { setSplit } = await import('../../src/extension/logic/workspace-dataset');
    await api.store!.mutate((d) => setSplit(d, held, 'validation'));
  });

  test('Fine-tune on Workspace runs in the engine process and records curves and scores', async () => {
    const api = await activateSpanTune();
    const runId = await vscode.commands.executeCommand<string>('spantune.fineTune', { confirm: false });
    assert.ok(runId, 'a run started');
    assert.ok(api.training!.running, 'the run is in progress');
    await api.training!.whenIdle();
    const run = (await api.training!.runs.list()).find((r) => r.id === runId)!;
    assert.equal(run.status, 'finished', run.reason);
    assert.ok(run.steps.length >= 2, `${run.steps.length} steps recorded`);
    assert.ok(run.steps.every((s) => Number.isFinite(s.loss)));
    assert.ok(run.base, 'base scores measured before training');
    assert.ok(run.evals.some((e) => e.step > 0), 'validation after training');
    assert.ok(run.modelDir && existsSync(path.join(run.modelDir, 'config.json')), `model saved in ${run.modelDir}`);
    console.log(`[spantune-test] run ${run.id}: ${run.steps.length} steps on ${run.backend?.name}, host event-loop delay ${JSON.stringify((run as { hostEventLoopDelayMs?: unknown }).hostEventLoopDelayMs)}`);
  });

  test('Ask a Question about This File answers with a span of the file', async () => {
    const editor = await selectText('docs/training.md', 'AdamW');
    const api = await activateSpanTune();
    await vscode.commands.executeCommand('spantune.ask');
    const panel = api.qaPanel();
    assert.ok(panel, 'the QA panel is open');
    const answers: AnswerView[] = await panel.ask('Which optimizer does fine-tuning use?', 'file', 'base');
    assert.ok(answers && answers.length === 1, 'one answer for the active file');
    const answer = answers[0]!;
    assert.equal(answer.path, 'docs/training.md');
    // Whether or not the tiny model thinks the file answers, its candidate spans are there, and
    // every one of them is the exact text of the file at its offsets.
    const spans = answer.isNull ? answer.nbest.filter((n) => !n.isNull) : [answer, ...answer.nbest.filter((n) => !n.isNull)];
    assert.ok(spans.length >= 2, `${spans.length} candidate spans`);
    for (const span of spans) assert.equal(editor.document.getText().slice(span.start, span.end), span.text);
  });

  test('Cancel Training stops a run and keeps it resumable', async () => {
    const api = await activateSpanTune();
    // Several steps per epoch, so that the cancel lands in a training step: the engine reports a
    // cancel that arrives during a validation pass as a failure ("prediction cancelled").
    await configure({ epochs: 200, batchSize: 1 });
    const runId = await vscode.commands.executeCommand<string>('spantune.fineTune', { confirm: false });
    await waitFor('the first training step', async () => {
      const running = api.training!.running;
      if (!running) throw new Error(`the run ended before its first step: ${JSON.stringify((await api.training!.runs.list()).find((r) => r.id === runId)?.reason)}`);
      return running.steps.length > 0 || undefined;
    }, 120_000);
    await vscode.commands.executeCommand('spantune.cancelTraining');
    await api.training!.whenIdle();
    const run = (await api.training!.runs.list()).find((r) => r.id === runId)!;
    assert.equal(run.status, 'cancelled', run.reason);
    assert.ok(run.steps.length < run.totalSteps!, `stopped at ${run.steps.length} of ${run.totalSteps}`);
    await configure({ epochs: 2, batchSize: 2 });
  });

  test('A question asked during a training run is answered before the run ends, by its own engine process', async () => {
    const api = await activateSpanTune();
    await configure({ epochs: 200, batchSize: 1 });
    const ended: { type: string; at: number }[] = [];
    const listener = api.engine.onEvent((event) => {
      if (event.type === 'finished' || event.type === 'cancelled' || event.type === 'failed') ended.push({ type: event.type, at: Date.now() });
    });
    try {
      const runId = await vscode.commands.executeCommand<string>('spantune.fineTune', { confirm: false });
      await waitFor('the first training step', () => (api.training!.running?.steps.length ?? 0) > 0 || undefined, 120_000);
      const stepsBefore = api.training!.running!.steps.length;

      await selectText('docs/training.md', 'AdamW');
      await vscode.commands.executeCommand('spantune.ask');
      const answers = await api.qaPanel()!.ask('Which optimizer does fine-tuning use?', 'file', 'base');
      const answeredAt = Date.now();
      assert.equal(answers.length, 1, 'answered');
      const running = api.training!.running;
      assert.ok(running && running.id === runId, 'the run is still going when the answer arrives');
      assert.equal(ended.length, 0, `no job ended before the answer: ${JSON.stringify(ended)}`);
      const training = api.engine.started('training')!;
      const answering = api.engine.started('answering')!;
      assert.ok(answering.pid && training.pid && answering.pid !== training.pid, `two engine processes (${training.pid}, ${answering.pid})`);

      // Cancelling the run stops the training process's job; the answering process stays, and answers again.
      await vscode.commands.executeCommand('spantune.cancelTraining');
      await api.training!.whenIdle();
      const run = (await api.training!.runs.list()).find((r) => r.id === runId)!;
      assert.equal(run.status, 'cancelled', run.reason);
      assert.ok(ended.length > 0 && ended.every((e) => e.at >= answeredAt), `the run ended after the answer (${JSON.stringify(ended)})`);
      assert.ok(run.steps.length >= stepsBefore);
      const again = await api.qaPanel()!.ask('Which optimizer does fine-tuning use?', 'file', 'base');
      assert.equal(again.length, 1);
      assert.equal(api.engine.started('answering')!.pid, answering.pid, 'the same answering process');
    } finally {
      listener.dispose();
      await configure({ epochs: 2, batchSize: 2 });
    }
  });
});

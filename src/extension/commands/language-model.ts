/**
 * Choose Language Model for Generation: the user picks one of VS Code's chat models (vscode.lm) and
 * says yes, for this workspace, to sending it the text of the documents that generation reads. The
 * choice lives in workspaceState (a workspace's settings cannot pre-approve it). Without a choice,
 * or when the chosen model is gone, generation uses the offline generators only.
 */
import * as vscode from 'vscode';
import { LanguageModelError, type ChatBackend, type ChatReply, type ChatRequest } from '../../engine/generate/llm/chat';
import { output } from '../output';

const CHOICE_KEY = 'spantune.generate.languageModel';

export interface LanguageModelConsent {
  id: string;
  name: string;
  vendor: string;
  family: string;
  /** When the user said yes. */
  allowed: string;
}

/** Where chat models come from: vscode.lm, or a fake in the extension-host tests. */
export interface ChatModelSource {
  select(selector?: vscode.LanguageModelChatSelector): Thenable<readonly vscode.LanguageModelChat[]>;
}

export type GenerationModel = { chat: ChatBackend } | { unavailable: string } | undefined;

export class LanguageModelChoice {
  /**
   * Test seams: VS Code 1.100 has no stable API to register a chat model (lm.registerChatModelProvider
   * is a proposed API there), so the host tests put a fake model and a scripted answer here.
   */
  source: ChatModelSource = { select: (selector) => vscode.lm.selectChatModels(selector) };
  confirm: (message: string) => Thenable<boolean> = async (message) => (await vscode.window.showWarningMessage(message, { modal: true }, 'Allow')) === 'Allow';

  constructor(private readonly state: vscode.Memento) {}

  get consent(): LanguageModelConsent | undefined {
    return this.state.get<LanguageModelConsent>(CHOICE_KEY);
  }

  /** The command: pick a model (or none) and consent. `modelId` ('none' for none) skips the pick, never the consent. */
  async choose(modelId?: unknown): Promise<LanguageModelConsent | undefined> {
    const models = await this.source.select();
    let picked: vscode.LanguageModelChat | 'none' | undefined;
    if (typeof modelId === 'string') {
      picked = modelId === 'none' ? 'none' : models.find((model) => model.id === modelId);
      if (!picked) throw new LanguageModelError(`No language model with id "${modelId}" is available in VS Code`);
    } else {
      if (models.length === 0) {
        void vscode.window.showInformationMessage('SpanTune: VS Code offers no language model here (a chat extension provides them). Generation uses the offline generators.');
        return this.consent;
      }
      const current = this.consent?.id;
      const items = [
        ...models.map((model) => ({ label: model.name, description: `${model.vendor} · ${model.family}`, detail: model.id === current ? 'in use for generation' : undefined, model })),
        { label: 'None: offline generators only', description: 'no document leaves this machine', model: 'none' as const },
      ];
      picked = (await vscode.window.showQuickPick(items, { title: 'SpanTune: language model for Generate QA Pairs', placeHolder: 'It reads your documents and writes questions about them' }))?.model;
      if (!picked) return this.consent;
    }
    if (picked === 'none') {
      await this.state.update(CHOICE_KEY, undefined);
      output().info('Generation: no language model; the offline generators only');
      return undefined;
    }
    const allowed = await this.confirm(
      `Generate QA Pairs will send the text of the documents it reads in this workspace to ${picked.name} (${picked.vendor}) to write questions about them. Allow this for this workspace?`,
    );
    if (!allowed) {
      void vscode.window.showInformationMessage(`SpanTune: ${picked.name} not used; nothing was sent.`);
      return this.consent;
    }
    const consent: LanguageModelConsent = { id: picked.id, name: picked.name, vendor: picked.vendor, family: picked.family, allowed: new Date().toISOString() };
    await this.state.update(CHOICE_KEY, consent);
    output().info(`Generation: ${picked.name} (${picked.vendor}, ${picked.id}) allowed for this workspace`);
    return consent;
  }

  /** The chosen, consented model as a chat backend; `unavailable` says why a chosen one cannot be used now. */
  async forGeneration(): Promise<GenerationModel> {
    const consent = this.consent;
    if (!consent) return undefined;
    const [model] = await this.source.select({ id: consent.id });
    if (!model) return { unavailable: `the language model ${consent.name} is not available now` };
    return { chat: new VsCodeChat(model) };
  }
}

/** One of VS Code's chat models as a ChatBackend. */
export class VsCodeChat implements ChatBackend {
  readonly label: string;

  constructor(private readonly model: vscode.LanguageModelChat) {
    this.label = `${model.name} (${model.vendor})`;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const cancel = new vscode.CancellationTokenSource();
    const onAbort = () => cancel.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    // VS Code's chat API has no system role: the instructions open the user message.
    const prompt = `${request.system}\n\n${request.user}`;
    try {
      const response = await this.model.sendRequest(
        [vscode.LanguageModelChatMessage.User(prompt)],
        { justification: 'SpanTune writes questions about your documents to train a question-answering model.' },
        cancel.token,
      );
      let text = '';
      for await (const part of response.text) text += part;
      const [promptTokens, completionTokens] = await Promise.all([this.model.countTokens(prompt, cancel.token), this.model.countTokens(text, cancel.token)]);
      return { text, promptTokens, completionTokens };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof vscode.LanguageModelError) throw new LanguageModelError(this.explain(error));
      throw new LanguageModelError(`${this.label} failed: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      cancel.dispose();
    }
  }

  private explain(error: vscode.LanguageModelError): string {
    switch (error.code) {
      case vscode.LanguageModelError.NoPermissions.name:
        return `VS Code did not let SpanTune use ${this.label} (${error.message}); allow it when VS Code asks, or choose another model`;
      case vscode.LanguageModelError.NotFound.name:
        return `${this.label} is no longer available (${error.message}); choose another model`;
      case vscode.LanguageModelError.Blocked.name:
        return `${this.label} refused the request (${error.message}); a quota or rate limit may be reached: try again later`;
      default:
        return `${this.label} failed: ${error.message}`;
    }
  }
}

/**
 * Select Base Model (catalogue, Hub id or local folder) and the Hugging Face token. The token lives
 * in VS Code's SecretStorage only: never in settings, never in the log.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../engine/errors';
import type { DownloadedModel, DownloadProgress } from '../../engine/hub';
import { output } from '../output';
import { requireTrust } from '../training/controller';

const TOKEN_KEY = 'spantune.huggingFaceToken';

/** The Hub client (undici, @huggingface/hub) is its own bundle, loaded on first use, not at activation. */
export function loadHub(): Promise<typeof import('../../engine/hub')> {
  return import('../../engine/hub');
}

/** The token for Hub requests: SecretStorage first, then HF_TOKEN. */
export async function hubToken(context: vscode.ExtensionContext): Promise<string | undefined> {
  return (await context.secrets.get(TOKEN_KEY)) || (await loadHub()).tokenFromEnvironment();
}

/** Stores (or, given an empty value, removes) the token. A string argument skips the prompt (tests). */
export async function setHuggingFaceToken(context: vscode.ExtensionContext, value?: unknown): Promise<boolean> {
  const token =
    typeof value === 'string'
      ? value
      : await vscode.window.showInputBox({
          title: 'SpanTune: Hugging Face Token',
          prompt: 'A read token from huggingface.co/settings/tokens (a write token to push models). Kept in VS Code\'s secret storage. Leave empty to remove it.',
          password: true,
          ignoreFocusOut: true,
        });
  if (token === undefined) return false;
  if (token.trim() === '') {
    await context.secrets.delete(TOKEN_KEY);
    void vscode.window.showInformationMessage('SpanTune: Hugging Face token removed.');
    return true;
  }
  await context.secrets.store(TOKEN_KEY, token.trim());
  void vscode.window.showInformationMessage('SpanTune: Hugging Face token saved in secret storage.');
  return true;
}

/** Proxy from VS Code's `http.proxy` / `http.noProxy`, else the environment. */
export async function proxySettings(): Promise<{ proxy?: string; noProxy?: string }> {
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.get<string>('proxy', '').trim();
  if (!proxy) return (await loadHub()).proxyFromEnvironment();
  const noProxy = http.get<string[]>('noProxy', []);
  return { proxy, noProxy: noProxy.length ? noProxy.join(',') : undefined };
}

export type BaseModelChoice = string | { hubId: string; revision?: string };

interface Pick extends vscode.QuickPickItem {
  action: 'catalogue' | 'hub' | 'folder';
  id?: string;
}

/**
 * Offers the catalogue (QA-tuned small checkpoints first), a Hub id, or a local folder; sets
 * `spantune.baseModel`. An argument skips the picker: a folder path, or `{ hubId, revision }`.
 */
export async function selectBaseModel(context: vscode.ExtensionContext, choice?: unknown): Promise<string | undefined> {
  if (typeof choice === 'string') return useFolder(choice);
  if (choice && typeof choice === 'object' && typeof (choice as { hubId?: unknown }).hubId === 'string') {
    const { hubId, revision } = choice as { hubId: string; revision?: string };
    return useFolder((await downloadWithProgress(context, hubId, revision)).modelDir);
  }
  const { MODEL_CATALOGUE, describeCatalogueEntry } = await loadHub();
  const items: Pick[] = [
    { label: 'Catalogue', kind: vscode.QuickPickItemKind.Separator, action: 'catalogue' },
    ...MODEL_CATALOGUE.map((entry): Pick => ({
      label: entry.label,
      description: entry.id,
      detail: describeCatalogueEntry(entry) + (entry.note ? ` — ${entry.note}` : ''),
      action: 'catalogue',
      id: entry.id,
    })),
    { label: 'Other', kind: vscode.QuickPickItemKind.Separator, action: 'catalogue' },
    { label: '$(cloud-download) Download from the Hugging Face Hub by id…', action: 'hub' },
    { label: '$(folder-opened) Choose a local folder…', action: 'folder' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'SpanTune: Select Base Model', matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.action === 'folder') {
    const folder = await vscode.window.showOpenDialog({ title: 'SpanTune: Select Base Model (a folder with config.json)', canSelectFiles: false, canSelectFolders: true });
    return folder?.[0] ? useFolder(folder[0].fsPath) : undefined;
  }
  let id = picked.id;
  let revision: string | undefined;
  if (picked.action === 'hub') {
    const typed = await vscode.window.showInputBox({
      title: 'SpanTune: Model id on the Hugging Face Hub',
      prompt: 'owner/name, optionally @revision (a branch, tag or commit)',
      placeHolder: 'distilbert/distilbert-base-cased-distilled-squad',
      ignoreFocusOut: true,
      validateInput: (v) => (/^[\w.-]+\/[\w.-]+(@\S+)?$/.test(v.trim()) ? undefined : 'Write the id as owner/name, e.g. deepset/minilm-uncased-squad2'),
    });
    if (!typed) return undefined;
    [id, revision] = typed.trim().split('@') as [string, string | undefined];
  }
  return useFolder((await downloadWithProgress(context, id as string, revision)).modelDir);
}

async function useFolder(dir: string): Promise<string> {
  if (!existsSync(path.join(dir, 'config.json'))) throw new UserError(`${dir} has no config.json: pick the folder of a Hugging Face BERT or DistilBERT checkpoint`);
  await vscode.workspace.getConfiguration('spantune').update('baseModel', dir, vscode.ConfigurationTarget.Workspace);
  vscode.window.setStatusBarMessage(`SpanTune: base model set to ${dir}`, 4000);
  return dir;
}

function progressLine(p: DownloadProgress, { formatBytes, formatDuration }: Awaited<ReturnType<typeof loadHub>>): string {
  if (p.phase === 'resolving') return `resolving ${p.repoId}…`;
  if (p.phase === 'verifying') return `checking ${p.file ?? 'files'}…`;
  const speed = p.bytesPerSecond > 0 ? ` · ${formatBytes(p.bytesPerSecond)}/s · ${formatDuration(p.etaSeconds)} left` : '';
  return `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)} (${Math.floor(p.percent)}%)${speed}${p.file ? ` · ${p.file}` : ''}`;
}

/** Downloads into the shared Hugging Face cache with a cancellable progress notification. */
export async function downloadWithProgress(context: vscode.ExtensionContext, repoId: string, revision?: string): Promise<DownloadedModel> {
  requireTrust('Downloading models');
  const hub = await loadHub();
  const { downloadModel, HubError, formatBytes, redactToken } = hub;
  const token = await hubToken(context);
  const proxy = await proxySettings();
  const log = output();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `SpanTune: downloading ${repoId}`, cancellable: true },
    async (progress, cancel) => {
      const abort = new AbortController();
      cancel.onCancellationRequested(() => abort.abort(new UserError(`Download of ${repoId} cancelled; what was fetched stays in the cache and resumes next time`)));
      let reported = 0;
      try {
        return await downloadModel({
          repoId,
          revision,
          token,
          ...proxy,
          signal: abort.signal,
          onProgress: (p) => {
            const percent = Math.floor(p.percent);
            progress.report({ increment: Math.max(0, percent - reported), message: progressLine(p, hub) });
            reported = Math.max(reported, percent);
          },
        });
      } catch (error) {
        if (abort.signal.aborted) throw abort.signal.reason;
        if (error instanceof HubError && error.kind === 'auth') {
          const hint = token ? 'the saved token has no access to it' : 'run "SpanTune: Set Hugging Face Token" first';
          throw new UserError(`${redactToken(error.message, token)} (${hint})`);
        }
        throw error;
      }
    },
  );
  for (const warning of result.warnings) void vscode.window.showWarningMessage(`SpanTune: ${warning}`);
  const fetched = result.files.filter((f) => !f.fromCache).reduce((n, f) => n + f.size, 0);
  log.info(`Downloaded ${repoId}@${result.commit.slice(0, 12)} into ${result.modelDir} (${result.files.length} files, ${formatBytes(fetched)} transferred${result.fromCache ? ', all from the cache' : ''})`);
  return result;
}

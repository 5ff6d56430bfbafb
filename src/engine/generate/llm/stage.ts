/**
 * Language-model generation as a stage of `generateFromFiles`: one request per passage, asking for
 * questions whose answers are verbatim spans; the replies' pairs are checked against the passage and
 * added to the rule-based ones. Requests and tokens are capped; passages past a cap keep only the
 * rule-based pairs, and the report says so.
 */
import { UserError } from '../../errors';
import type { PairStage } from '../generate';
import type { ProgressCallback } from '../types';
import { LanguageModelError, type ChatBackend } from './chat';
import { buildRequest, parseReply } from './prompt';
import { pairsFromProposals, questionKey } from './spans';

export const LLM_DEFAULTS = {
  questionsPerPassage: 5,
  maxRequests: 100,
  maxTokens: 200_000,
  replyTokens: 1024,
} as const;

export interface LanguageModelSettings {
  /** Questions asked for (and kept at most) per passage. */
  questionsPerPassage?: number;
  /** Most requests in one run. */
  maxRequests?: number;
  /** Most tokens in one run, prompts and replies together. */
  maxTokens?: number;
  /** Most tokens of one reply. */
  replyTokens?: number;
}

export interface LanguageModelReport {
  model: string;
  requests: number;
  /** Prompt and reply tokens: as the model counted them, or estimated (4 characters a token) where it did not say. */
  tokens: number;
  passages: number;
  /** Passages left to the rule-based generators because a cap was reached. */
  passagesSkipped: number;
  stoppedBy?: 'requests' | 'tokens';
  pairs: number;
  notInPassage: number;
  rejected: number;
  duplicates: number;
  /** Replies that held no JSON list of pairs. */
  badReplies: number;
  /** Passages the model declined to write about. */
  refused: number;
}

/** Passages shorter than this many words are not worth a request. */
const MIN_WORDS = 12;
/** This many unreadable replies in a row, and nothing read yet: the model cannot do the task. */
const GIVE_UP_AFTER_BAD_REPLIES = 3;

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new UserError(`the language model's ${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

export function resolveLanguageModelSettings(settings: LanguageModelSettings = {}): Required<LanguageModelSettings> {
  return {
    questionsPerPassage: positiveInteger('questions per passage', settings.questionsPerPassage ?? LLM_DEFAULTS.questionsPerPassage),
    maxRequests: positiveInteger('request cap', settings.maxRequests ?? LLM_DEFAULTS.maxRequests),
    maxTokens: positiveInteger('token cap', settings.maxTokens ?? LLM_DEFAULTS.maxTokens),
    replyTokens: positiveInteger('reply size', settings.replyTokens ?? LLM_DEFAULTS.replyTokens),
  };
}

export class LanguageModelStage {
  readonly report: LanguageModelReport;
  private readonly settings: Required<LanguageModelSettings>;

  constructor(
    private readonly chat: ChatBackend,
    settings: LanguageModelSettings = {},
    private readonly hooks: { onProgress?: ProgressCallback; onLog?: (message: string) => void } = {},
  ) {
    this.settings = resolveLanguageModelSettings(settings);
    this.report = { model: chat.label, requests: 0, tokens: 0, passages: 0, passagesSkipped: 0, pairs: 0, notInPassage: 0, rejected: 0, duplicates: 0, badReplies: 0, refused: 0 };
  }

  readonly stage: PairStage = async (passages, pairsByPassage, signal) => {
    const { questionsPerPassage, maxRequests, maxTokens, replyTokens } = this.settings;
    const report = this.report;
    const asked = passages.map((passage, index) => ({ passage, index })).filter(({ passage }) => passage.plain.split(/\s+/).filter(Boolean).length >= MIN_WORDS);
    report.passages = asked.length;
    const result = pairsByPassage.map((pairs) => [...pairs]);
    for (const [done, { passage, index }] of asked.entries()) {
      signal?.throwIfAborted();
      const request = buildRequest(passage.text, questionsPerPassage, replyTokens);
      const promptEstimate = estimateTokens(request.system + request.user);
      if (report.requests >= maxRequests || report.tokens + promptEstimate + replyTokens > maxTokens) {
        report.stoppedBy = report.requests >= maxRequests ? 'requests' : 'tokens';
        report.passagesSkipped = asked.length - done;
        this.hooks.onLog?.(`language model: stopped at the cap of ${report.stoppedBy === 'requests' ? `${maxRequests} requests` : `${maxTokens} tokens`}; ${report.passagesSkipped} passage(s) keep only the rule-based pairs`);
        break;
      }
      const reply = await this.chat.complete(request, signal);
      report.requests++;
      report.tokens += (reply.promptTokens ?? promptEstimate) + (reply.completionTokens ?? estimateTokens(reply.text));
      this.hooks.onProgress?.(done + 1, asked.length, 'language model');
      if (reply.refused !== undefined) {
        report.refused++;
        this.hooks.onLog?.(`language model declined passage ${passage.path}:${passage.start}: ${reply.refused}`);
        continue;
      }
      const proposals = parseReply(reply.text);
      if (!proposals) {
        report.badReplies++;
        this.hooks.onLog?.(`language model reply for ${passage.path}:${passage.start} is not the JSON asked for: ${JSON.stringify(reply.text.slice(0, 120))}`);
        if (report.badReplies >= GIVE_UP_AFTER_BAD_REPLIES && report.badReplies === report.requests) {
          throw new LanguageModelError(`${this.chat.label}: none of the first ${report.requests} replies was the JSON list of questions asked for; the model may be too small for this task`);
        }
        continue;
      }
      const taken = new Set(result[index]!.map((pair) => questionKey(pair.question)));
      const check = pairsFromProposals(passage, proposals.slice(0, questionsPerPassage * 2), taken);
      const added = check.pairs.slice(0, questionsPerPassage);
      report.pairs += added.length;
      report.notInPassage += check.notInPassage;
      report.rejected += check.rejected;
      report.duplicates += check.duplicates;
      result[index] = [...result[index]!, ...added].sort((a, b) => a.answerStart - b.answerStart);
    }
    return result;
  };
}

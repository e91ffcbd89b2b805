import { type ClaudeRequest, type ClaudeResult, type ClaudeUsage, tokensOf } from '../claude/client.js';
import type { ClaudeProfile } from '../claude/profile.js';
import { PRIORITY } from '../limits/queue.js';
import type { Traffic } from '../limits/traffic.js';
import type { BudgetDecision, DailyBudget, UserBudget } from '../limits/user-budget.js';
import type { WaitingRoom } from '../limits/waiting-room.js';
import type { Logger } from '../platform/logger.js';
import { failureOf } from './failure.js';
import type { AskAnswer, AskFailure, AskInput, AskLane, AskOutcome, AskSession, AskSink } from './types.js';

/** Which settings Claude is asked with in a place (CLAUDE_PROFILES_FILE; the environment without it). */
export interface ProfileSource {
  forPlace(place: { channelId: string; kind: 'channel' | 'dm'; teamId?: string }): Promise<ClaudeProfile>;
}

export interface AskPipelineDeps {
  profiles: ProfileSource;
  traffic: Traffic;
  /** Per-person limits; absent = none. */
  budget?: UserBudget;
  /** Where each lane's questions wait their turn before any work is done for them. */
  rooms: Partial<Record<AskLane, WaitingRoom>>;
  /** Calls that can wait: the Message Batches API (half the price, within 24 hours). */
  batches?: {
    ask(
      scope: { teamId: string; channelId: string },
      req: ClaudeRequest,
      signal?: AbortSignal,
    ): Promise<ClaudeResult>;
  };
  /** Told of each Claude call that cost tokens (the usage book). */
  onUsage?(input: AskInput, usage: ClaudeUsage, request: { model: string; profile?: string }): void;
  log: Logger;
}

/** Claude calls of a lane: long summaries must not starve answers to people's questions. */
const LANE_PRIORITY: Record<AskLane, number> = {
  question: PRIORITY.interactive,
  summary: PRIORITY.background,
};

/**
 * The one path from a person's question to Claude, for every feature: the place's profile → the
 * person's budget → the waiting room → the feature's work, whose Claude calls go through the
 * cache, single-flight and queue → the tokens spent. Failures reach the sink as kinds; the
 * feature says them in its words. Knows nothing of Slack.
 */
export class AskPipeline {
  constructor(private readonly deps: AskPipelineDeps) {}

  async run<T>(
    input: AskInput,
    sink: AskSink,
    work: (session: AskSession) => Promise<T>,
  ): Promise<AskOutcome<T>> {
    const calls: AskAnswer[] = [];
    let profile: ClaudeProfile | undefined;
    let admitted: BudgetDecision | undefined;
    let leave: (() => void) | undefined;
    try {
      profile = await this.deps.profiles.forPlace(input.where);
      const daily: DailyBudget = { tokensPerDay: profile.userTokensPerDay, pool: profile.budgetPool };
      admitted = await this.deps.budget?.begin(input.where.teamId, input.userId, daily);
      if (admitted && !admitted.ok) {
        this.deps.log.info({ ref: input.ref, user: input.userId }, 'per-person limit reached');
        return await this.failed(sink, { kind: 'budget', message: admitted.message }, calls, profile);
      }
      const { waited, leave: left } = await this.enter(input, sink);
      leave = left;
      sink.status({ kind: 'working' });
      const session = this.session(input, sink, profile, daily, waited, calls, () => {
        leave?.();
        leave = undefined;
      });
      const value = await work(session);
      return { ok: true, value, profile, calls };
    } catch (err) {
      const failure = failureOf(err, input.signal);
      if (failure.kind !== 'stopped' && failure.kind !== 'restarting' && failure.kind !== 'refused') {
        const requestId = 'requestId' in failure ? failure.requestId : undefined;
        this.deps.log.warn(
          { ref: input.ref, err, kind: failure.kind, claudeRequestId: requestId },
          'question failed',
        );
      }
      return await this.failed(sink, failure, calls, profile);
    } finally {
      leave?.();
      if (admitted?.ok) admitted.release();
    }
  }

  /** Waits in the lane's line; the sink hears the place in line, and the input when it waits. */
  private async enter(input: AskInput, sink: AskSink): Promise<{ waited: boolean; leave?: () => void }> {
    const room = this.deps.rooms[input.lane];
    if (!room) return { waited: false };
    let waited = false;
    input.onWaiting?.(true);
    try {
      const leave = await room.enter({
        signal: input.signal,
        onQueued: (ahead) => {
          waited = true;
          sink.status({ kind: 'queued', ahead, for: 'turn' });
        },
      });
      return { waited, leave };
    } finally {
      input.onWaiting?.(false);
    }
  }

  private session(
    input: AskInput,
    sink: AskSink,
    profile: ClaudeProfile,
    daily: DailyBudget,
    waited: boolean,
    calls: AskAnswer[],
    leaveLine: () => void,
  ): AskSession {
    const { traffic, budget, onUsage } = this.deps;
    const scope = { teamId: input.where.teamId, channelId: input.where.channelId };
    return {
      profile,
      waited,
      leaveLine,
      claude: async (request, opts = {}) => {
        if (opts.batch && this.deps.batches) {
          // A batch waits outside the line: its turn goes to the next summary.
          leaveLine();
          const r = await this.deps.batches.ask(scope, request, input.signal);
          const answer: AskAnswer = {
            text: r.text,
            source: 'claude',
            stopReason: r.stopReason,
            usage: r.usage,
            ...(r.requestId ? { requestId: r.requestId } : {}),
            ...(r.content ? { content: r.content } : {}),
          };
          calls.push(answer);
          onUsage?.(input, r.usage, request);
          void budget?.spend(input.where.teamId, input.userId, tokensOf(r.usage), daily).catch(() => {});
          return answer;
        }
        const a = await traffic.ask(scope, request, opts.onText ?? (() => {}), {
          priority: LANE_PRIORITY[input.lane],
          cacheTtlSeconds: profile.cacheTtlSeconds,
          signal: input.signal,
          onQueued: (ahead) => sink.status({ kind: 'queued', ahead, for: 'claude' }),
          onTool: (activity) => sink.status({ kind: 'tool', activity }),
        });
        // A shared or cached answer was paid for by whoever asked first.
        const usage = a.source === 'claude' ? a.result?.usage : undefined;
        const answer: AskAnswer = {
          text: a.text,
          source: a.source,
          stopReason: a.result?.stopReason,
          ...(usage ? { usage } : {}),
          ...(a.result?.requestId ? { requestId: a.result.requestId } : {}),
          ...(a.result?.content ? { content: a.result.content } : {}),
        };
        calls.push(answer);
        if (usage) {
          onUsage?.(input, usage, request);
          void budget?.spend(input.where.teamId, input.userId, tokensOf(usage), daily).catch(() => {});
        }
        return answer;
      },
    };
  }

  private async failed<T>(
    sink: AskSink,
    failure: AskFailure,
    calls: AskAnswer[],
    profile: ClaudeProfile | undefined,
  ): Promise<AskOutcome<T>> {
    await sink.fail(failure).catch((err) => this.deps.log.warn({ err }, 'could not tell the person'));
    return { ok: false, failure, calls, ...(profile ? { profile } : {}) };
  }
}

/**
 * The budget of Slack's write methods an answer uses, per workspace (and per channel for posts),
 * kept below each method's rate tier so the bot does not draw `ratelimited`: chat streaming starts
 * (Tier 2, the tightest: every streamed answer spends one), stops (Tier 2), message updates
 * (Tier 3), agent session statuses (Tier 3) and posts (about one a second per channel). Shared by
 * replicas through Redis (see RateWindow).
 * @see https://docs.slack.dev/apis/web-api/rate-limits
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateWindow } from './rate-window.js';

/** A method's budget: `limit` calls a `windowMs`, per workspace or per channel. */
interface Budget {
  limit: number;
  windowMs: number;
}

/**
 * Slack counts over a rolling minute from when it receives a call; ours starts a little earlier
 * (before the request travels), so our window is a little longer.
 */
const MARGIN_MS = 2000;
const MINUTE = 60_000 + MARGIN_MS;

/**
 * The tiers (each method's reference page on docs.slack.dev, Facts → Rate limits) at their
 * documented floor: Tier 2 "20+ per minute", Tier 3 "50+ per minute".
 */
export const WRITE_BUDGETS = {
  /** @see https://docs.slack.dev/reference/methods/chat.startStream (Tier 2) */
  start: { limit: 20, windowMs: MINUTE },
  /** @see https://docs.slack.dev/reference/methods/chat.stopStream (Tier 2) */
  stop: { limit: 20, windowMs: MINUTE },
  /** @see https://docs.slack.dev/reference/methods/chat.update (Tier 3) */
  update: { limit: 50, windowMs: MINUTE },
  /** @see https://docs.slack.dev/ai/agent-sessions (agents.sessions.setStatus: Tier 3) */
  session: { limit: 50, windowMs: MINUTE },
  /**
   * chat.postMessage: "one message per second per channel", short bursts allowed; 10 within any
   * 10 s here, as the simulated Slack allows.
   * @see https://docs.slack.dev/reference/methods/chat.postMessage
   */
  post: { limit: 10, windowMs: 10_000 + MARGIN_MS },
} satisfies Record<string, Budget>;

/** Share of the update budget progress edits may use: the rest is kept for answers' final edits. */
const PROGRESS_SHARE = 0.6;

/**
 * Share of the session budget new sessions may use: each session set to processing is set back to
 * active once (unless its stream's stop does it), so half is kept for those.
 */
const NEW_SESSION_SHARE = 0.5;

/** Longest a write waits for its budget before going ahead anyway (a late answer beats none). */
export const MAX_WRITE_WAIT_MS = 30_000;

/** Budgets of the write methods; `team` is the workspace, `channel` the conversation. */
export class WriteQuota {
  constructor(
    private readonly window: RateWindow,
    private readonly budgets: Record<keyof typeof WRITE_BUDGETS, Budget> = WRITE_BUDGETS,
  ) {}

  /** Takes a chat stream start if the workspace has one left this minute; never waits. */
  async tryStart(team: string): Promise<boolean> {
    return (await this.takeOnce('start', team)) === 0;
  }

  /**
   * Slack answered `ratelimited` to a start: the workspace's starts are spent (for `retryAfterSec`,
   * at least a minute), whoever spent them.
   */
  async startsSpent(team: string, retryAfterSec: number | undefined): Promise<void> {
    const ms = Math.max(this.budgets.start.windowMs, (retryAfterSec ?? 0) * 1000);
    await this.window.block(`start:${team}`, ms);
  }

  /** Waits (bounded) for a chat stream stop. */
  stop(team: string): Promise<void> {
    return this.wait('stop', team);
  }

  /** Waits (bounded) for a post in `channel`. */
  post(team: string, channel: string): Promise<void> {
    return this.wait('post', `${team}:${channel}`);
  }

  /**
   * An agent session status. A new session (`starting`) is taken only while half the budget is
   * free, and never waits; ending one waits (bounded).
   */
  async session(team: string, starting = false): Promise<boolean> {
    if (starting) {
      const { limit, windowMs } = this.budgets.session;
      return (
        (await this.window.take(`session:${team}`, Math.floor(limit * NEW_SESSION_SHARE), windowMs)) === 0
      );
    }
    await this.wait('session', team);
    return true;
  }

  /**
   * An edit of a message. A progress edit (`final` false) is taken only while most of the budget
   * is free, and never waits; a final edit waits (bounded).
   */
  async update(team: string, final: boolean): Promise<boolean> {
    if (final) {
      await this.wait('update', team);
      return true;
    }
    const { limit, windowMs } = this.budgets.update;
    return (await this.window.take(`update:${team}`, Math.floor(limit * PROGRESS_SHARE), windowMs)) === 0;
  }

  private takeOnce(kind: keyof typeof WRITE_BUDGETS, key: string): Promise<number> {
    const { limit, windowMs } = this.budgets[kind];
    return this.window.take(`${kind}:${key}`, limit, windowMs);
  }

  private async wait(kind: keyof typeof WRITE_BUDGETS, key: string): Promise<void> {
    const deadline = Date.now() + MAX_WRITE_WAIT_MS;
    for (;;) {
      const ms = await this.takeOnce(kind, key);
      if (ms === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) return;
      // A little spread, so writers waiting for the same slot do not all ask at once.
      await sleep(Math.min(left, ms + Math.floor(Math.random() * 100)));
    }
  }
}

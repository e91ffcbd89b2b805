/**
 * Slack's Web API rate limits for the methods the bot calls: each method's tier counts calls per
 * app per workspace (team) over a rolling minute; past it Slack answers HTTP 429 with `Retry-After`
 * and `{ok:false, error:'ratelimited'}`. The sim enforces each tier at the low end of its range
 * (Tier 1: 1, Tier 2: 20, Tier 3: 50, Tier 4: 100 a minute), so the bot cannot lean on the
 * "occasional bursts" Slack may or may not allow.
 * @see https://docs.slack.dev/apis/web-api/rate-limits ("per API method per workspace/team per app")
 */

/** One limit: at most `limit` accepted calls within any `windowMs`, counted per team or channel. */
export interface RateRule {
  limit: number;
  windowMs: number;
  per: 'team' | 'channel';
  /** Retry-After Slack sends past this limit, in seconds; default: until a call leaves the window. */
  retryAfterSec?: number;
}

const MINUTE = 60_000;
const tier = (limit: number, extra: Partial<RateRule> = {}): RateRule[] => [
  { limit, windowMs: MINUTE, per: 'team', ...extra },
];
const TIER_2 = 20;
const TIER_3 = 50;
const TIER_4 = 100;

/**
 * The tier of every rate-limited method the bot calls, from each method's reference page (Facts →
 * Rate limits) unless said otherwise. Methods Slack marks "special" without a figure
 * (assistant.threads.setStatus, auth.test) and the app-token apps.connections.open (Tier 1 with
 * bursts tolerated: Socket Mode opens up to 10 connections at once) are not limited here.
 */
export const METHOD_RATE_RULES: Readonly<Record<string, readonly RateRule[]>> = {
  // Tier 2; Slack answers Retry-After 30 past it (LIBRARY-FACTS "Added December 2026", measured).
  // https://docs.slack.dev/reference/methods/chat.startStream
  'chat.startStream': tier(TIER_2, { retryAfterSec: 30 }),
  // Tier 4. https://docs.slack.dev/reference/methods/chat.appendStream (rate_limit: t4)
  'chat.appendStream': tier(TIER_4),
  // Tier 2. https://api.slack.com/methods/chat.stopStream ("Rate limits: Tier 2")
  'chat.stopStream': tier(TIER_2),
  // Tier 3. https://docs.slack.dev/reference/methods/chat.update
  'chat.update': tier(TIER_3),
  // Tier 3. https://docs.slack.dev/reference/methods/chat.delete
  'chat.delete': tier(TIER_3),
  // Tier 4. https://docs.slack.dev/reference/methods/chat.postEphemeral
  'chat.postEphemeral': tier(TIER_4),
  // Special: "one message per second per channel", short bursts allowed (the sim allows 10 within
  // any 10 s), "while also maintaining a workspace-wide limit" (several hundred a minute: 300 here).
  // https://docs.slack.dev/apis/web-api/rate-limits and .../reference/methods/chat.postMessage
  'chat.postMessage': [
    { limit: 10, windowMs: 10_000, per: 'channel' },
    { limit: 300, windowMs: MINUTE, per: 'team' },
  ],
  // Tier 3 (both). https://docs.slack.dev/ai/agent-sessions; slackapi/java-slack-sdk#1633
  'agents.sessions.setStatus': tier(TIER_3),
  'agents.sessions.rename': tier(TIER_3),
  // Tier 4. https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts
  'assistant.threads.setSuggestedPrompts': tier(TIER_4),
  'assistant.threads.setTitle': tier(TIER_4),
  // Tier 4. https://docs.slack.dev/reference/methods/views.publish
  'views.publish': tier(TIER_4),
  // Tier 4. https://docs.slack.dev/reference/methods/views.open
  'views.open': tier(TIER_4),
  // Tier 4. https://docs.slack.dev/reference/methods/users.info
  'users.info': tier(TIER_4),
  // Tier 3. https://docs.slack.dev/reference/methods/users.conversations
  'users.conversations': tier(TIER_3),
  // Tier 3 for internal apps (1 a minute for commercially distributed non-Marketplace apps).
  // https://docs.slack.dev/reference/methods/conversations.history, .../conversations.replies
  'conversations.history': tier(TIER_3),
  'conversations.replies': tier(TIER_3),
  // Tier 3. https://docs.slack.dev/reference/methods/conversations.info
  'conversations.info': tier(TIER_3),
  // Tier 4. https://docs.slack.dev/reference/methods/conversations.members
  'conversations.members': tier(TIER_4),
  // Special: "For most teams, the limit is 10+ requests per minute while allowing for occasional
  // bursts" (the sim allows 10). https://docs.slack.dev/reference/methods/assistant.search.context
  'assistant.search.context': tier(10),
  // Tier 2 (create) and Tier 3 (edit, lookup). https://docs.slack.dev/reference/methods/canvases.create,
  // .../canvases.edit, .../canvases.sections.lookup, .../conversations.canvases.create
  'canvases.create': tier(TIER_2),
  'conversations.canvases.create': tier(TIER_2),
  'canvases.edit': tier(TIER_3),
  'canvases.sections.lookup': tier(TIER_3),
  // Tier 3. https://docs.slack.dev/reference/methods/conversations.open
  'conversations.open': tier(TIER_3),
};

/**
 * A commercially distributed app that is not in the Marketplace (installed by other organizations)
 * gets one conversations.history and one conversations.replies call a minute per workspace, instead
 * of Tier 3 (SlackSimOptions.historyLimited; internal apps keep Tier 3).
 * @see https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps
 * @see LIBRARY-FACTS.md, "Platform limits worth designing for"
 */
export const DISTRIBUTED_HISTORY_RULES: Readonly<Record<string, readonly RateRule[]>> = {
  'conversations.history': tier(1),
  'conversations.replies': tier(1),
};

/**
 * Counts accepted calls per method and team (or channel) over rolling windows and says when a call
 * is over its limit. Refused calls do not count, as at Slack.
 */
/**
 * No rate limit on any method: for measurements of the bot's own costs (bench/) and tests that
 * are not about Slack's tiers, where a tier would only add its wait.
 */
export const NO_RATE_LIMITS: Readonly<Record<string, readonly RateRule[]>> = Object.fromEntries(
  Object.keys(METHOD_RATE_RULES).map((method) => [method, []]),
);

/** One budget so large that nothing waits for it. */
const UNLIMITED = { limit: 1_000_000, windowMs: 60_000 };

/**
 * The bot's own write budgets (BotOverrides.slackWriteBudgets) off, to go with NO_RATE_LIMITS:
 * a bot that keeps within Slack's tiers would otherwise hold its writes back just the same.
 */
export const NO_WRITE_BUDGETS = {
  start: UNLIMITED,
  stop: UNLIMITED,
  update: UNLIMITED,
  session: UNLIMITED,
  post: UNLIMITED,
};

export class RateLimiter {
  private readonly seen = new Map<string, number[]>();
  private readonly rules: Record<string, readonly RateRule[]>;

  constructor(overrides: Readonly<Record<string, readonly RateRule[]>> = {}) {
    this.rules = { ...METHOD_RATE_RULES, ...overrides };
  }

  /**
   * Records the call and returns undefined when every limit of `method` allows it; otherwise the
   * Retry-After (seconds) of the first limit it exceeds, and nothing is recorded.
   */
  admit(method: string, team: string, channel: string | undefined, now = Date.now()): number | undefined {
    const rules = this.rules[method] ?? [];
    const keys = rules.map(
      (r, i) => `${method}#${i}:${team}${r.per === 'channel' ? `:${channel ?? ''}` : ''}`,
    );
    for (const [i, rule] of rules.entries()) {
      const times = this.recent(keys[i] as string, rule.windowMs, now);
      if (times.length >= rule.limit) {
        const freeAt = (times[times.length - rule.limit] as number) + rule.windowMs;
        return rule.retryAfterSec ?? Math.max(1, Math.ceil((freeAt - now) / 1000));
      }
    }
    for (const key of keys) {
      const times = this.seen.get(key);
      if (times) times.push(now);
      else this.seen.set(key, [now]);
    }
    return undefined;
  }

  /** Forgets every call counted so far. */
  reset(): void {
    this.seen.clear();
  }

  private recent(key: string, windowMs: number, now: number): number[] {
    const times = this.seen.get(key) ?? [];
    const from = times.findIndex((t) => t > now - windowMs);
    const kept = from === -1 ? [] : times.slice(from);
    this.seen.set(key, kept);
    return kept;
  }
}

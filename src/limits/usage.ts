import { LRUCache } from 'lru-cache';
import { type ClaudeUsage, inputTokensOf } from '../claude/client.js';
import { costOf, type Price, priceOf } from '../claude/prices.js';
import type { Logger } from '../platform/logger.js';
import type { RedisClient } from '../platform/redis.js';

/** What one channel or person used in a day. */
export interface UsageTotals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One UTC day of usage, by channel and by person. */
export interface UsageDay {
  day: string;
  total: UsageTotals;
  channels: Map<string, UsageTotals>;
  users: Map<string, UsageTotals>;
  /** By channel profile (CLAUDE_PROFILES_FILE). */
  profiles: Map<string, UsageTotals>;
}

/** One answered request: who, where, and what it cost (nothing for cached or shared answers). */
export interface UsageRecord {
  at: Date;
  /** The workspace: each keeps its own book (and uninstalling it deletes that). */
  team?: string;
  channel: string;
  user: string;
  /** The channel's profile, when the answer was asked with one. */
  profile?: string;
  usage: ClaudeUsage | undefined;
  costUsd: number;
}

/** Cost is counted in millionths of a dollar so Redis can add it atomically as an integer. */
const MICRO = 1_000_000;
/** Days kept in Redis (the view shows today; a few days help whoever looks at the keys). */
const KEEP_SECONDS = 8 * 24 * 3600;
/**
 * Counters a day keeps in memory (four per person and per channel): beyond 10,000 people and
 * channels a day, the least recently active are dropped. Redis keeps them all.
 */
export const USAGE_FIELDS_MAX = 40_000;

export const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** A workspace's book of one day: `T0123:2026-12-07` (the day alone for records without a team). */
const dayOf = (d: Date, team?: string) => (team ? `${team}:${utcDay(d)}` : utcDay(d));

function fields(r: UsageRecord): Record<string, number> {
  const u = r.usage;
  const input = u ? inputTokensOf(u) : 0;
  const values = { req: 1, in: input, out: u?.outputTokens ?? 0, usd: Math.round(r.costUsd * MICRO) };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    out[`c|${r.channel}|${k}`] = v;
    out[`u|${r.user}|${k}`] = v;
    if (r.profile) out[`p|${r.profile}|${k}`] = v;
  }
  return out;
}

function toDay(day: string, flat: Record<string, number>): UsageDay {
  const result: UsageDay = {
    day,
    total: { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
    channels: new Map(),
    users: new Map(),
    profiles: new Map(),
  };
  for (const [field, value] of Object.entries(flat)) {
    const [scope, id = '', k] = field.split('|');
    const map = scope === 'c' ? result.channels : scope === 'p' ? result.profiles : result.users;
    const t = map.get(id) ?? { requests: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    map.set(id, t);
    const add = (name: keyof UsageTotals, n: number) => {
      t[name] += n;
      if (scope === 'c') result.total[name] += n;
    };
    if (k === 'req') add('requests', value);
    else if (k === 'in') add('inputTokens', value);
    else if (k === 'out') add('outputTokens', value);
    else if (k === 'usd') add('costUsd', value / MICRO);
  }
  return result;
}

/**
 * Today's usage per channel and per person, for the admins' Home tab. In memory (this process)
 * without Redis; with Redis one hash per UTC day shared by every replica (HINCRBY is atomic).
 */
/** Who asked and where: the fields of an answered question that usage is kept by. */
export interface AnsweredJob {
  userId: string;
  place: { channelId: string; teamId?: string };
}

export class UsageBook {
  /**
   * Without Redis: today and yesterday, each at most USAGE_FIELDS_MAX counters, every workspace's
   * counters named `<team>#<field>`.
   */
  private readonly memory = new LRUCache<string, LRUCache<string, number>>({ max: 2 });

  constructor(
    private readonly redis?: RedisClient,
    private readonly prefix = 'scb:',
  ) {}

  async record(r: UsageRecord): Promise<void> {
    const day = dayOf(r.at, r.team);
    const values = fields(r);
    if (this.redis) {
      const key = `${this.prefix}usage:${day}`;
      const multi = this.redis.multi();
      for (const [f, v] of Object.entries(values)) if (v) multi.hincrby(key, f, v);
      await multi.expire(key, KEEP_SECONDS).exec();
      return;
    }
    // Only today (and yesterday, around midnight) matters here: the oldest day goes first.
    const date = utcDay(r.at);
    const map = this.memory.get(date) ?? new LRUCache<string, number>({ max: USAGE_FIELDS_MAX });
    if (!this.memory.has(date)) this.memory.set(date, map);
    for (const [f, v] of Object.entries(values)) {
      const field = `${r.team ?? ''}#${f}`;
      map.set(field, (map.get(field) ?? 0) + v);
    }
  }

  /** The usage of one UTC day in a workspace. Rejects when Redis is configured and unreachable. */
  async read(at: Date, team?: string): Promise<UsageDay> {
    const key = dayOf(at, team);
    const day = utcDay(at);
    if (this.redis) {
      const raw = await this.redis.hgetall(`${this.prefix}usage:${key}`);
      return toDay(day, Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)])));
    }
    const mine = `${team ?? ''}#`;
    const fields = [...(this.memory.get(day) ?? [])].filter(([f]) => f.startsWith(mine));
    return toDay(day, Object.fromEntries(fields.map(([f, v]) => [f.slice(mine.length), v])));
  }

  /** Forgets a workspace's usage in memory (in Redis its keys name the team: they are swept). */
  forgetTeam(team: string): void {
    for (const map of this.memory.values())
      for (const field of [...map.keys()]) if (field.startsWith(`${team}#`)) map.delete(field);
  }
}

/**
 * Records each finished answer in the book (never throws: usage is best effort), with its cost
 * estimated from the configured prices.
 */
export function usageRecorder(
  book: UsageBook,
  model: string,
  prices: Readonly<Record<string, Price>>,
  log: Logger,
  now: () => Date = () => new Date(),
) {
  return (
    job: AnsweredJob,
    outcome: {
      ok: boolean;
      source?: string;
      usage?: ClaudeUsage;
      request?: { model: string; profile?: string };
    },
  ) => {
    if (!outcome.ok) return;
    // A joined answer carries the usage of the call it shared: counted once, for who asked first.
    const usage = outcome.source === 'claude' ? outcome.usage : undefined;
    const record: UsageRecord = {
      at: now(),
      ...(job.place.teamId ? { team: job.place.teamId } : {}),
      channel: job.place.channelId,
      user: job.userId,
      ...(outcome.request?.profile ? { profile: outcome.request.profile } : {}),
      usage,
      // The model the answer was asked with (its channel's profile), else the configured one.
      costUsd: usage ? costOf(usage, priceOf(outcome.request?.model ?? model, prices)) : 0,
    };
    book.record(record).catch((err) => log.debug({ err }, 'usage not recorded'));
  };
}

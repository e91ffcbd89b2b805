/**
 * Rolling-window counters for Slack's per-method rate tiers: in Redis when replicas share one
 * workspace (REDIS_URL), in memory otherwise or while Redis is away (each replica then counts alone
 * for that time, as it would without Redis).
 */
import type { RedisClient } from '../../platform/redis.js';
import { redisReady } from '../../platform/redis.js';

/** A call counted against a rolling window, or how long until the window has room. */
export interface RateWindow {
  /**
   * Counts one call under `key` if fewer than `limit` were counted in the last `windowMs` and the
   * key is not blocked: returns 0. Otherwise counts nothing and returns the milliseconds until it
   * could (at least 1).
   */
  take(key: string, limit: number, windowMs: number): Promise<number>;
  /** Refuses every take under `key` for `ms` (Slack said the limit was reached). */
  block(key: string, ms: number): Promise<void>;
}

/** One process's windows. */
export class MemoryWindow implements RateWindow {
  private readonly calls = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();

  async take(key: string, limit: number, windowMs: number): Promise<number> {
    return this.takeNow(key, limit, windowMs, Date.now());
  }

  takeNow(key: string, limit: number, windowMs: number, now: number): number {
    const until = this.blocked.get(key) ?? 0;
    if (until > now) return until - now;
    const kept = (this.calls.get(key) ?? []).filter((t) => t > now - windowMs);
    this.calls.set(key, kept);
    if (kept.length >= limit) return Math.max(1, (kept[kept.length - limit] as number) + windowMs - now);
    kept.push(now);
    return 0;
  }

  async block(key: string, ms: number): Promise<void> {
    this.blocked.set(key, Date.now() + ms);
  }
}

/**
 * KEYS[1] the window (a sorted set of call times), KEYS[2] the block; ARGV limit, window ms, a
 * unique member. Redis's clock, so replicas with skewed clocks agree.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
`;

/** Windows shared by every replica through Redis; memory while Redis does not answer. */
export class RedisWindow implements RateWindow {
  private seq = 0;
  private readonly local = new MemoryWindow();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async take(key: string, limit: number, windowMs: number): Promise<number> {
    if (!redisReady(this.redis)) return this.local.take(key, limit, windowMs);
    const member = `${process.pid}:${Date.now()}:${this.seq++}:${Math.random()}`;
    try {
      const wait = await this.redis.eval(
        TAKE,
        2,
        this.windowKey(key),
        this.blockKey(key),
        limit,
        windowMs,
        member,
      );
      return Number(wait);
    } catch {
      return this.local.take(key, limit, windowMs);
    }
  }

  /**
   * The window of `key` and its block under one hash tag (`scb:slack-quota:{start:T123}`), so the
   * script that reads both stays legal in a Redis Cluster.
   */
  private windowKey(key: string): string {
    return `${this.prefix}{${key}}`;
  }

  private blockKey(key: string): string {
    return `${this.prefix}{${key}}:blocked`;
  }

  async block(key: string, ms: number): Promise<void> {
    await this.local.block(key, ms);
    if (!redisReady(this.redis)) return;
    await this.redis.set(this.blockKey(key), '1', 'PX', Math.max(1, Math.round(ms))).catch(() => {});
  }
}

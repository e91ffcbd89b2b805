import { LRUCache } from 'lru-cache';
import type { RedisClient } from '../platform/redis.js';
import { redisReady } from '../platform/redis.js';

/** Per-person limits; 0 turns one off. */
export interface BudgetLimits {
  /** Questions of one person being answered at once (per process). */
  maxConcurrent: number;
  /** Questions per person per clock hour (UTC), shared by replicas with Redis. */
  requestsPerHour: number;
  /** Claude tokens (input + output) per person per UTC day, shared by replicas with Redis. */
  tokensPerDay: number;
}

/**
 * A daily token budget other than the default one (a channel profile's): `pool` names whose count
 * it is ('' = the default budget's count, shared by every place without its own).
 */
export interface DailyBudget {
  tokensPerDay: number;
  pool: string;
}

export type BudgetDecision = { ok: true; release: () => void } | { ok: false; message: string };

/** Counters one process keeps without Redis (two a person: this hour's requests, today's tokens). */
const BUDGET_COUNTERS_MAX = 50_000;

/** One person's tokens of one UTC day, in one pool (see DailyBudget). */
const tokensKey = (who: string, now: number, pool: string) =>
  `tokens:${pool ? `${pool}:` : ''}${who}:${Math.floor(now / 86_400_000)}`;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/**
 * Fairness and cost: one person cannot take every Claude slot or the whole budget. Counters live
 * in Redis when configured (shared by replicas), otherwise in memory; a Redis error never blocks
 * an answer (the limit is skipped for that request).
 */
export class UserBudget {
  private running = new Map<string, number>();
  private memoryTable: LRUCache<string, number> | undefined;

  constructor(
    private readonly limits: BudgetLimits,
    private readonly redis: RedisClient | undefined,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counters without Redis, each until its hour or day is over. Made on first use: lru-cache
   * allocates its index for every entry up front, about 1.5 MB an idle process need not hold.
   */
  private get memory(): LRUCache<string, number> {
    this.memoryTable ??= new LRUCache({ max: BUDGET_COUNTERS_MAX, perf: { now: this.now } });
    return this.memoryTable;
  }

  /** Admits a question, or says why not and when the limit resets. */
  async begin(teamId: string, userId: string, daily?: DailyBudget): Promise<BudgetDecision> {
    const who = `${teamId}:${userId}`;
    const now = this.now();
    const { maxConcurrent, requestsPerHour } = this.limits;
    const tokensPerDay = daily?.tokensPerDay ?? this.limits.tokensPerDay;
    const pool = daily?.pool ?? '';
    const active = this.running.get(who) ?? 0;
    if (maxConcurrent > 0 && active >= maxConcurrent) {
      return {
        ok: false,
        message: `You already have ${active} question${active === 1 ? '' : 's'} being answered. Please ask again when ${active === 1 ? 'it is' : 'they are'} done.`,
      };
    }
    const dayEnd = Math.ceil((now + 1) / 86_400_000) * 86_400_000;
    if (tokensPerDay > 0) {
      const used = await this.read(tokensKey(who, now, pool));
      if (used >= tokensPerDay) {
        const where = pool ? ` in the channels of the “${pool}” profile` : '';
        return {
          ok: false,
          message: `You have used today’s budget of ${tokensPerDay.toLocaleString('en-US')} tokens${where}. It resets at ${hhmm(dayEnd)} UTC.`,
        };
      }
    }
    if (requestsPerHour > 0) {
      const hour = Math.floor(now / 3_600_000);
      const count = await this.increment(`requests:${who}:${hour}`, 1, 3_600_000);
      if (count > requestsPerHour) {
        return {
          ok: false,
          message: `You have reached your limit of ${requestsPerHour} questions per hour. It resets at ${hhmm((hour + 1) * 3_600_000)} UTC.`,
        };
      }
    }
    this.running.set(who, active + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.running.get(who) ?? 1) - 1;
        if (n > 0) this.running.set(who, n);
        else this.running.delete(who);
      },
    };
  }

  /** Counts what an answer cost against the person's daily budget (the one `begin` checked). */
  async spend(teamId: string, userId: string, tokens: number, daily?: DailyBudget): Promise<void> {
    if ((daily?.tokensPerDay ?? this.limits.tokensPerDay) <= 0 || tokens <= 0) return;
    await this.increment(tokensKey(`${teamId}:${userId}`, this.now(), daily?.pool ?? ''), tokens, 86_400_000);
  }

  private async read(key: string): Promise<number> {
    if (redisReady(this.redis)) {
      const v = await this.redis.get(this.prefix + key).catch(() => null);
      return Number(v ?? 0);
    }
    return this.memory.get(key) ?? 0;
  }

  private async increment(key: string, by: number, ttlMs: number): Promise<number> {
    if (redisReady(this.redis)) {
      try {
        const [[, value]] = (await this.redis
          .multi()
          .incrby(this.prefix + key, by)
          .pexpire(this.prefix + key, ttlMs)
          .exec()) as [[unknown, number]];
        return Number(value);
      } catch {
        return 0;
      }
    }
    // The key names its hour or day, so a later one starts from zero.
    const value = (this.memory.get(key) ?? 0) + by;
    this.memory.set(key, value, { ttl: ttlMs });
    return value;
  }
}

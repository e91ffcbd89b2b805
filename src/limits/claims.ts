import { LRUCache } from 'lru-cache';
import type { Logger } from '../platform/logger.js';
import type { RedisClient } from '../platform/redis.js';
import { redisReady } from '../platform/redis.js';

/** How long a claim (or a durable job) lasts without renewal: a dead process's work is taken up after it. */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * Exactly one reply per Slack event: a claim is an atomic lease on the event, taken before any
 * work. Slack redelivers events whose ack was late; a redelivery finds the claim and is dropped.
 * A lease (not a tombstone): if the process that took it dies, it expires and a later
 * redelivery is answered.
 */
export interface ClaimStore {
  /** True when this caller now owns the event. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Still working: keep the lease for another `ttlMs`. */
  extend(key: string, ttlMs: number): Promise<void>;
  /** Work finished: keep the claim (redeliveries stay dropped) for `ttlMs`. */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Work abandoned before anything was posted: let a redelivery take it. */
  release(key: string): Promise<void>;
}

/**
 * Claims one process remembers: 100,000 are about 17 minutes of events at 100 a second, longer
 * than Slack keeps retrying one (three retries within minutes).
 */
export const MEMORY_CLAIMS_MAX = 100_000;

/** One process: leases with expiry, the oldest dropped beyond `max`. */
export class MemoryClaims implements ClaimStore {
  private table: LRUCache<string, true> | undefined;

  constructor(private readonly max = MEMORY_CLAIMS_MAX) {}

  /**
   * Made on the first claim: lru-cache allocates its index for every entry up front, about 3 MB
   * for 100,000 that an idle process need not hold.
   */
  private get leases(): LRUCache<string, true> {
    this.table ??= new LRUCache({ max: this.max });
    return this.table;
  }

  get size(): number {
    return this.table?.size ?? 0;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (this.leases.has(key)) return false;
    this.leases.set(key, true, { ttl: ttlMs });
    return true;
  }

  async extend(key: string, ttlMs: number): Promise<void> {
    this.leases.set(key, true, { ttl: ttlMs });
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    this.leases.set(key, true, { ttl: ttlMs });
  }

  async release(key: string): Promise<void> {
    this.leases.delete(key);
  }
}

/**
 * Claims shared by every replica (SET NX PX). While Redis is unreachable, claims fall back to
 * this process's memory: one replica still never answers twice; two replicas could, until Redis
 * is back (logged by the connection).
 */
export class RedisClaims implements ClaimStore {
  private local = new MemoryClaims();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {}

  async claim(key: string, ttlMs: number): Promise<boolean> {
    if (!(await this.local.claim(key, ttlMs))) return false;
    if (!redisReady(this.redis)) return true;
    try {
      const ok = await this.redis.set(this.prefix + key, '1', 'PX', ttlMs, 'NX');
      if (ok !== 'OK') await this.local.release(key);
      return ok === 'OK';
    } catch (err) {
      this.log.debug({ err }, 'claim fell back to memory');
      return true;
    }
  }

  async extend(key: string, ttlMs: number): Promise<void> {
    await this.local.extend(key, ttlMs);
    if (redisReady(this.redis))
      await this.redis.set(this.prefix + key, '1', 'PX', ttlMs, 'XX').catch(() => {});
  }

  async complete(key: string, ttlMs: number): Promise<void> {
    await this.local.complete(key, ttlMs);
    if (redisReady(this.redis)) await this.redis.set(this.prefix + key, 'done', 'PX', ttlMs).catch(() => {});
  }

  async release(key: string): Promise<void> {
    await this.local.release(key);
    if (redisReady(this.redis)) await this.redis.del(this.prefix + key).catch(() => {});
  }
}

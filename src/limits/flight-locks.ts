import type { RedisClient } from '../platform/redis.js';
import { redisReady } from '../platform/redis.js';

/**
 * Single-flight across replicas: the replica that takes the lock calls Claude; the others wait
 * for its answer to land in the shared cache.
 */
export interface FlightLocks {
  acquire(key: string, ttlMs: number): Promise<boolean>;
  /** Keeps a lock alive while its call runs (a lease: a dead replica's lock expires soon). */
  extend(key: string, ttlMs: number): Promise<void>;
  held(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
}

export class RedisFlightLocks implements FlightLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    if (!redisReady(this.redis)) return true;
    const ok = await this.redis.set(this.prefix + key, '1', 'PX', ttlMs, 'NX').catch(() => 'OK');
    return ok === 'OK';
  }

  async extend(key: string, ttlMs: number): Promise<void> {
    if (redisReady(this.redis)) await this.redis.pexpire(this.prefix + key, ttlMs).catch(() => {});
  }

  async held(key: string): Promise<boolean> {
    if (!redisReady(this.redis)) return false;
    return (await this.redis.exists(this.prefix + key).catch(() => 0)) === 1;
  }

  async release(key: string): Promise<void> {
    if (redisReady(this.redis)) await this.redis.del(this.prefix + key).catch(() => {});
  }
}

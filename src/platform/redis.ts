import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * The ioredis connection shared by the queue, the claims and the single-flight locks. Every
 * command fails fast while Redis is away (no offline queue, one attempt, short connect timeout)
 * so callers fall back at once; it reconnects every second by itself.
 */
export function createRedis(url: string, log: Logger, name = 'main'): Redis {
  // Loaded only when REDIS_URL is set: a single process without Redis saves its memory.
  const { Redis: RedisClient } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const client = new RedisClient(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
    commandTimeout: 1000,
    retryStrategy: () => 1000,
    lazyConnect: false,
    connectionName: `slack-claude-bot:${name}`,
  });
  let down = false;
  const lost = (message: string) => {
    if (!down) log.warn({ err: { message }, redis: name }, 'redis unavailable; using local fallbacks');
    down = true;
  };
  client.on('error', (err) => lost(err.message));
  // A connection that closed is an outage even when it comes back before any command failed.
  client.on('reconnecting', () => lost('connection closed'));
  client.on('ready', () => {
    if (down) log.info({ redis: name }, 'redis reachable again');
    down = false;
  });
  return client;
}

/** True when commands can be sent now. */
export function redisReady(client: Redis | undefined): client is Redis {
  return client?.status === 'ready';
}

import { createRequire } from 'node:module';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { parseRedisUrl } from '../config/redis-url.js';
import type { Logger } from './logger.js';

/**
 * A connection to the bot's Redis: one server or a Sentinel-managed primary (`Redis`), or a Redis
 * Cluster (`Cluster`). Both take the same commands; what differs is that in a cluster every
 * multi-key command (MULTI, a script) must name keys of one hash slot: keys meant to go together
 * share a hash tag (`{…}`: see `tagged`).
 */
export type RedisClient = Redis | Cluster;

/** Fail fast while Redis is away: no offline queue, one attempt, short timeouts. */
const FAIL_FAST = {
  maxRetriesPerRequest: 1,
  connectTimeout: 1000,
  commandTimeout: 1000,
} satisfies RedisOptions;

/**
 * The ioredis connection shared by the queue, the claims and the single-flight locks, for any of
 * REDIS_URL's forms (config/redis-url.ts). Every command fails fast while Redis is away (no offline
 * queue, one attempt, short connect timeout) so callers fall back at once; it reconnects every
 * second by itself.
 */
export function createRedis(url: string, log: Logger, name = 'main'): RedisClient {
  // Loaded only when REDIS_URL is set: a single process without Redis saves its memory.
  const ioredis = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const connectionName = `slack-claude-bot:${name}`;
  const target = parseRedisUrl(url);
  let client: RedisClient;
  if (target.kind === 'cluster') {
    client = new ioredis.Cluster(target.nodes, {
      enableOfflineQueue: false,
      clusterRetryStrategy: () => 1000,
      redisOptions: {
        ...FAIL_FAST,
        connectionName,
        ...(target.username ? { username: target.username } : {}),
        ...(target.password ? { password: target.password } : {}),
        ...(target.tls ? { tls: {} } : {}),
      },
    });
  } else if (target.kind === 'sentinel') {
    client = new ioredis.Redis({
      ...FAIL_FAST,
      sentinels: target.sentinels,
      name: target.name,
      db: target.db,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
      enableOfflineQueue: false,
      retryStrategy: () => 1000,
      sentinelRetryStrategy: () => 1000,
      connectionName,
    });
  } else {
    client = new ioredis.Redis(url, {
      ...FAIL_FAST,
      enableOfflineQueue: false,
      retryStrategy: () => 1000,
      lazyConnect: false,
      connectionName,
    });
  }
  let down = false;
  const lost = (message: string) => {
    if (!down) log.warn({ err: { message }, redis: name }, 'redis unavailable; using local fallbacks');
    down = true;
  };
  client.on('error', (err: Error) => lost(err.message));
  // A connection that closed is an outage even when it comes back before any command failed.
  client.on('reconnecting', () => lost('connection closed'));
  client.on('ready', () => {
    if (down) log.info({ redis: name }, 'redis reachable again');
    down = false;
  });
  return client;
}

/**
 * A second connection like `client` (a subscriber: a subscribed connection can do nothing else),
 * with these options: for a cluster they apply to each node's connection.
 */
export function duplicateRedis(
  client: RedisClient,
  options: Partial<RedisOptions> & { enableOfflineQueue?: boolean },
): RedisClient {
  if (!isCluster(client)) return client.duplicate(options);
  const { enableOfflineQueue, ...node } = options;
  return client.duplicate([], {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    redisOptions: { ...client.options.redisOptions, ...node },
  });
}

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/**
 * `name` under a hash tag: keys tagged alike live in one hash slot of a Redis Cluster, so a script
 * or MULTI may use them together. `tagged('scb:', 'T123', 'jobs')` is `scb:{T123}:jobs`.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function tagged(prefix: string, tag: string, name: string): string {
  return `${prefix}{${tag}}:${name}`;
}

/** True when commands can be sent now. */
export function redisReady(client: RedisClient | undefined): client is RedisClient {
  return client?.status === 'ready';
}

import { createRequire } from 'node:module';
import type KeyvRedisType from '@keyv/redis';
import Keyv from 'keyv';
import { parseRedisUrl } from '../config/redis-url.js';
import type { Logger } from './logger.js';

/**
 * The shared key-value store: in memory for one process, Redis with REDIS_URL. Keyv's defaults
 * hang every call while Redis is down; these options fail fast (~500 ms) and reconnect by
 * themselves, so a Redis outage degrades to cache misses instead of stuck answers.
 */
export function createStore(redisUrl: string | undefined, log: Logger, namespace = 'scb'): Keyv {
  if (!redisUrl) return new Keyv({ namespace });
  // Loaded only when REDIS_URL is set: a single process without Redis saves its memory.
  const KeyvRedis = (createRequire(import.meta.url)('@keyv/redis') as { default: typeof KeyvRedisType })
    .default;
  const adapter = new KeyvRedis(connectOptions(redisUrl), {
    connectionTimeout: 500,
    namespace,
    throwOnConnectError: false,
    throwOnErrors: false,
  });
  let down = false;
  // Until its first connection the store only misses (the bot's main Redis connection reports a
  // Redis that is not there at start): a read before it connected is no outage.
  let connected = false;
  const keyv = new Keyv({ store: adapter, namespace, throwOnErrors: false });
  const onError = (err: unknown) => {
    if (!down && connected)
      log.warn({ err }, 'redis unavailable; cache falls back to misses until it returns');
    down = connected;
  };
  adapter.on('error', onError);
  keyv.on('error', onError);
  adapter.client.on?.('ready', () => {
    if (down) log.info('redis reachable again');
    down = false;
    connected = true;
  });
  return keyv;
}

/**
 * @keyv/redis (node-redis) options for REDIS_URL's forms: one server, Sentinel
 * (`sentinelRootNodes`, node-redis's createSentinel) or a cluster (`rootNodes`, createCluster; it
 * splits multi-key calls by hash slot itself). Each connection fails fast and reconnects every
 * second, as the one-server client does.
 */
function connectOptions(url: string): ConstructorParameters<typeof KeyvRedisType>[0] {
  const target = parseRedisUrl(url);
  const failFast = { disableOfflineQueue: true } as const;
  const reconnectStrategy = () => 1000;
  if (target.kind === 'single') return { url, ...failFast, socket: { reconnectStrategy } };
  const auth = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
  const socket = { reconnectStrategy, ...(target.tls ? { tls: true as const } : {}) };
  if (target.kind === 'cluster') {
    const scheme = target.tls ? 'rediss' : 'redis';
    return {
      rootNodes: target.nodes.map((n) => ({ url: `${scheme}://${n.host}:${n.port}` })),
      defaults: { ...failFast, ...auth, socket },
    };
  }
  return {
    name: target.name,
    sentinelRootNodes: target.sentinels,
    nodeClientOptions: { ...failFast, ...auth, database: target.db, socket },
    sentinelClientOptions: { socket: { reconnectStrategy } },
  };
}

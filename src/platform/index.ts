import type Keyv from 'keyv';
import { type Config, secretValues } from '../config/config.js';
import { type Broadcast, createBroadcast } from './broadcast.js';
import { createEgress, type Egress } from './egress.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createRedis, type RedisClient, redisReady } from './redis.js';
import { createStore } from './store.js';

/** What every layer above uses: logs, metrics, the way out (proxy), the store and Redis. */
export interface Platform {
  log: Logger;
  metrics: Metrics;
  /** HTTPS_PROXY / NO_PROXY: every Slack and Anthropic request goes through its fetch. */
  egress: Egress;
  /** Key-value store: Redis with REDIS_URL, else memory. */
  store: Keyv;
  redis: RedisClient | undefined;
  /** Messages to every replica (Redis pub/sub); undefined without Redis (one process). */
  broadcast: Broadcast | undefined;
  /** Values scrubbed from every log line; secrets rotated in later are added (see addSecrets). */
  addSecrets(next: Config): void;
  redisOk(): boolean;
  close(): Promise<void>;
}

export function createPlatform(config: Config, given: { logger?: Logger; store?: Keyv } = {}): Platform {
  // Mutable: secrets rotated in later are scrubbed from logs too.
  const secrets = secretValues(config);
  const log =
    given.logger ?? createLogger({ level: config.logLevel, secrets, messageBodies: config.logMessageBodies });
  const egress = createEgress(config.proxy);
  const store = given.store ?? createStore(config.redisUrl, log, `${config.redisKeyPrefix}kv`);
  const redis = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;
  const broadcast = redis && createBroadcast(redis, `${config.redisKeyPrefix}broadcast:`, log);
  return {
    log,
    metrics: createMetrics(),
    egress,
    store,
    redis,
    broadcast,
    addSecrets(next) {
      for (const v of secretValues(next)) if (!secrets.includes(v)) secrets.push(v);
    },
    redisOk: () => !redis || redisReady(redis),
    async close() {
      broadcast?.close();
      redis?.disconnect();
      await store.disconnect().catch(() => {});
      await egress.close().catch(() => {});
    },
  };
}

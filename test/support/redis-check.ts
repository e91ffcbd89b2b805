import { Redis } from 'ioredis';

/** The Redis the tests use: REDIS_URL when set, else the local one CI starts. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The address of `url` without its password, for messages. */
const shown = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

/**
 * One line saying why the tests' Redis does not answer a PING within 3 s, naming REDIS_URL and how
 * to get one; undefined when it answers.
 */
export async function redisProblem(url = REDIS_URL): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    commandTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let reason = '';
  redis.on('error', (err: NodeJS.ErrnoException) => {
    reason ||= err.code ?? err.message;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reason ||= e.code ?? e.message;
    return `Tests need Redis: nothing answers at ${shown(url)} (${reason}); start one (sudo apt-get install -y redis-server) or set REDIS_URL to a Redis the tests may use`;
  } finally {
    redis.disconnect();
  }
}

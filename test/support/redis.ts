import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, redisProblem } from './redis-check.js';

/** The shared Redis of these machines (CI starts it); a missing Redis fails the test. */
export { REDIS_URL };

// A file using Redis fails at once, with the fix, when it does not answer (the suite checks before
// it starts: test/support/preflight.ts; this covers one file run on its own).
const problem = await redisProblem();
if (problem) throw new Error(problem);

/** A key prefix of its own for each test, so parallel test files never share Redis state. */
export function uniquePrefix(): string {
  return `test-${randomBytes(4).toString('hex')}:`;
}

/**
 * A connection to the shared Redis and a key prefix of this test's own; after the test its keys
 * are deleted and the connection closed.
 */
export function scratchRedis(t: TestContext): { redis: Redis; prefix: string } {
  const redis = new Redis(REDIS_URL);
  const prefix = uniquePrefix();
  t.after(async () => {
    const left = await redis.keys(`${prefix}*`);
    if (left.length) await redis.del(...left);
    redis.disconnect();
  });
  return { redis, prefix };
}

/** A port nothing listens on now, on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * A dedicated redis-server this test can stop and start (outage tests), on a free port;
 * `password` turns on AUTH (requirepass), as the deployment files do.
 */
export async function startPrivateRedis(password?: string) {
  const port = await freePort();
  let proc: ReturnType<typeof spawn> | undefined;
  const url = `redis://${password ? `:${password}@` : ''}127.0.0.1:${port}`;
  const up = async () => {
    proc = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        ...(password ? ['--requirepass', password] : []),
      ],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server on ${port} did not start`);
  };
  const down = async () => {
    if (!proc) return;
    const p = proc;
    proc = undefined;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  };
  await up();
  return { url, port, up, down };
}

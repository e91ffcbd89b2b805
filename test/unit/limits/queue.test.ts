import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import pino from 'pino';
import { ClaudeQueue, PRIORITY, QueueFullError } from '../../../src/limits/queue.js';
import { REDIS_URL, uniquePrefix } from '../../support/redis.js';

const log = pino({ level: 'silent' });

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

test('people waiting on an answer go before summary chunks; a full queue refuses new work', async (t) => {
  const q = new ClaudeQueue({ maxConcurrent: 1, requestsPerMinute: 1000, maxQueued: 3, id: 'local', log });
  t.after(() => q.stop());
  const g = gate();
  const running = gate();
  const order: string[] = [];
  const job = (priority: number, name: string) =>
    q.schedule({ priority, inputTokens: 1, outputTokens: 1 }, async () => {
      order.push(name);
      if (name === 'first') {
        running.open();
        await g.p;
      }
    });
  const first = job(PRIORITY.interactive, 'first');
  await running.p;
  const done = [
    job(PRIORITY.background, 'chunk-1'),
    job(PRIORITY.background, 'chunk-2'),
    job(PRIORITY.interactive, 'person'),
  ];
  await assert.rejects(job(PRIORITY.interactive, 'overflow'), QueueFullError);
  while (q.prioritized < 3) await new Promise((r) => setImmediate(r));
  g.open();
  await Promise.all([first, ...done]);
  assert.deepEqual(order, ['first', 'person', 'chunk-1', 'chunk-2']);
});

test('two replicas sharing Redis keep one set of limits (concurrency)', async (t) => {
  const id = `${uniquePrefix()}claude`;
  const clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
  await Promise.all(clients.map((c) => c.ping()));
  const queues = clients.map(
    (redis) => new ClaudeQueue({ maxConcurrent: 2, requestsPerMinute: 1000, maxQueued: 100, redis, id, log }),
  );
  t.after(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    for (const c of clients) c.disconnect();
  });
  let active = 0;
  let peak = 0;
  const work = async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise((r) => setTimeout(r, 30));
    active--;
  };
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      queues[i % 2]!.schedule({ priority: 5, inputTokens: 1, outputTokens: 1 }, work),
    ),
  );
  assert.equal(peak, 2, 'never more than the shared limit, and the limit is used');
});

test('Bottleneck keys flushed from Redis 7 mid-run: jobs keep running (recovery)', async (t) => {
  const prefix = uniquePrefix();
  const redis = new Redis(REDIS_URL);
  const admin = new Redis(REDIS_URL);
  await Promise.all([redis.ping(), admin.ping()]);
  const q = new ClaudeQueue({
    maxConcurrent: 2,
    requestsPerMinute: 1000,
    maxQueued: 100,
    redis,
    id: `${prefix}claude`,
    log,
  });
  t.after(async () => {
    await q.stop();
    redis.disconnect();
    admin.disconnect();
  });
  const ok = () => q.schedule({ priority: 5, inputTokens: 1, outputTokens: 1 }, async () => 'ok');
  assert.equal(await ok(), 'ok');
  const keys = await admin.keys(`b_{${prefix}*`);
  assert.ok(keys.length > 0, 'the limiter keeps its state in Redis');
  await admin.del(...keys);
  for (let i = 0; i < 5; i++) assert.equal(await ok(), 'ok');
  assert.ok((await admin.keys(`b_{${prefix}*`)).length > 0, 'state re-created');
});

test('output tokens per minute are reserved up front from max_tokens', async (t) => {
  const q = new ClaudeQueue({
    maxConcurrent: 10,
    requestsPerMinute: 1000,
    outputTokensPerMinute: 6000,
    maxQueued: 100,
    id: 'local',
    log,
  });
  t.after(() => q.stop());
  let ran = 0;
  const jobs = Array.from({ length: 3 }, () =>
    q.schedule({ priority: 5, inputTokens: 1, outputTokens: 2034 }, async () => {
      ran++;
    }),
  );
  await Promise.all(jobs.slice(0, 2));
  assert.equal(ran, 2, 'two answers of 2,034 tokens fit in 6,000 per minute');
  // The third waits for the bucket to refill (100 tokens a second); it must not have run yet.
  await new Promise((r) => setImmediate(r));
  assert.equal(ran, 2);
  await jobs[2];
  assert.equal(ran, 3);
});

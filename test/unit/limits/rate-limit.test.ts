import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keyv from 'keyv';
import pino from 'pino';
import { startFakeAnthropic } from '../../../sandbox/claude/fake-anthropic.js';
import { ClaudeClient } from '../../../src/claude/client.js';
import { createAnswerCache } from '../../../src/limits/cache.js';
import { ClaudeQueue, type QueueOptions } from '../../../src/limits/queue.js';
import { Traffic } from '../../../src/limits/traffic.js';
import { until } from '../../support/until.js';

/** A queue with these limits and no Redis, logging nothing. */
function localQueue(
  id: string,
  limits: Pick<QueueOptions, 'maxConcurrent' | 'requestsPerMinute' | 'maxQueued'>,
) {
  return new ClaudeQueue({ ...limits, id, log: pino({ level: 'silent' }) });
}

/** `n` small requests scheduled at once; `ran()` counts those that have run. */
function scheduleCounted(queue: ClaudeQueue, n: number) {
  let ran = 0;
  const jobs = Array.from({ length: n }, () =>
    queue.schedule({ priority: 3, inputTokens: 1, outputTokens: 1 }, async () => {
      ran++;
    }),
  );
  return { jobs, ran: () => ran };
}

/**
 * A fake Claude that enforces N requests per minute as a token bucket (capacity N, refilled
 * continuously) and answers 429 with retry-after beyond it, like Anthropic does.
 */
test('a burst above the rate limit is queued, not rejected: every request answered, no 429, concurrency kept', async (t) => {
  const perMinute = 600;
  const burst = 720;
  const maxConcurrent = 5;
  const fake = await startFakeAnthropic();
  t.after(() => fake.close());
  let tokens = perMinute;
  let last = Date.now();
  let active = 0;
  let peak = 0;
  let limited = 0;
  fake.setResponder(() => {
    const now = Date.now();
    tokens = Math.min(perMinute, tokens + ((now - last) * perMinute) / 60_000);
    last = now;
    if (tokens < 1) {
      limited++;
      return { status: 429, headers: { 'retry-after': '1' } };
    }
    tokens -= 1;
    return { text: 'ok', firstTokenDelayMs: 10 };
  });
  const log = pino({ level: 'silent' });
  const queue = new ClaudeQueue({
    maxConcurrent,
    requestsPerMinute: perMinute,
    maxQueued: 10_000,
    id: 'rate',
    log,
  });
  t.after(() => queue.stop());
  const claude = new ClaudeClient({
    apiKey: () => 'sk-ant-test',
    baseUrl: fake.url,
    firstTokenTimeoutMs: 30_000,
    timeoutMs: 60_000,
    log,
    onRateLimit: (info) => {
      if (info.retryAfterMs !== undefined) void queue.backOff();
    },
  });
  const traffic = new Traffic({
    // Calls running at once, counted from each call's start to its end.
    call: async (req, o) => {
      peak = Math.max(peak, ++active);
      try {
        return await claude.stream(req, o);
      } finally {
        active--;
      }
    },
    cache: createAnswerCache(new Keyv(), 0),
    queue,
    flightWaitMs: 1000,
    maxRetries: 2,
  });
  const results = await Promise.all(
    Array.from({ length: burst }, (_, i) =>
      traffic.ask(
        { teamId: 'T', channelId: 'C' },
        { model: 'm', maxTokens: 10, system: [], messages: [{ role: 'user', content: `q${i}` }] },
        () => {},
      ),
    ),
  );
  assert.equal(results.filter((r) => r.text === 'ok').length, burst, 'every request answered');
  // The fake keeps Anthropic's bucket: a request beyond it would have drawn a 429.
  assert.equal(limited, 0, 'the limit was kept: no 429 from Claude');
  assert.equal(fake.requests.length, burst, 'each request sent once, none retried');
  assert.ok(peak <= maxConcurrent, `peak concurrency ${peak} ≤ ${maxConcurrent}`);
});

test('stopping while requests wait for the bucket to refill lets them run first', async () => {
  // 30/min: the bucket holds 29, so the 30th request waits for the first refill (2 s).
  const queue = localQueue('stop', { maxConcurrent: 50, requestsPerMinute: 30, maxQueued: 100 });
  const { jobs, ran } = scheduleCounted(queue, 30);
  await until('the bucket is empty and one request waits', () => ran() === 29 && queue.prioritized === 1);
  const stopped = queue.stop();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    Promise.all([stopped, ...jobs]).then(() => 'stopped'),
    new Promise((r) => {
      timer = setTimeout(() => r('still stopping after 10 s'), 10_000);
    }),
  ]);
  clearTimeout(timer);
  assert.equal(outcome, 'stopped');
  assert.equal(ran(), 30);
});

test('after the event loop stalls, the queue lets through every refill that fell due, not one', async () => {
  // 600/min: the bucket holds 580 and gets 19.6 every 2 s, so a 5 s stall makes at least two due.
  const queue = localQueue('stall', { maxConcurrent: 100, requestsPerMinute: 600, maxQueued: 1000 });
  const { jobs, ran } = scheduleCounted(queue, 660);
  await until('the bucket is empty', () => ran() >= 580);
  let last = -1;
  const settled = () => {
    const still = ran() === last;
    last = ran();
    return still;
  };
  await until('no released request is still starting', settled, { everyMs: 300 });
  const before = ran();
  const stalledUntil = Date.now() + 5_000;
  while (Date.now() < stalledUntil) {
    // A long synchronous task: no timer runs meanwhile.
  }
  // The first refill applied after the stall lets through every refill that fell due meanwhile
  // (two at least, 39 requests), not one (19): the count settles at that before the next refill.
  await until('a refill applied', () => ran() > before, { everyMs: 5 });
  await until('the released requests started', settled, { everyMs: 300 });
  assert.ok(ran() - before >= 39, `${ran() - before} let through after the stall`);
  const left = ran();
  await queue.stop();
  await Promise.all(jobs);
  assert.equal(ran(), 660, `${left} ran before stop; stop let the rest run`);
});

test('requests that arrive together while slots are free are not refused as a full queue', async () => {
  // One slot and room for one waiting: the first runs, the second waits, only a third is refused,
  // even when all three arrive before the first has started.
  const queue = localQueue('together', { maxConcurrent: 1, requestsPerMinute: 1000, maxQueued: 1 });
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  const job = { priority: 3, inputTokens: 10, outputTokens: 10 };
  const outcomes = [1, 2, 3].map((n) =>
    queue.schedule(job, async () => {
      await held;
      return n;
    }),
  );
  const settled = Promise.allSettled(outcomes);
  await until('the first is running', () => queue.running === 1);
  release();
  const results = await settled;
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name)),
    [1, 2, 'QueueFullError'],
  );
  await queue.stop();
});

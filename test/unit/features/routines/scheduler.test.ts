import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { RoutineSpec } from '../../../../src/features/deps.js';
import { FileRoutineBook, RedisRoutineBook } from '../../../../src/features/routines/book.js';
import { latestSlot } from '../../../../src/features/routines/schedule.js';
import {
  decide,
  MISSED_RUN_MAX_AGE_MS,
  type RoutineRun,
  RoutineScheduler,
  retryDelay,
} from '../../../../src/features/routines/scheduler.js';
import { MemoryClaims, RedisClaims } from '../../../../src/limits/claims.js';
import { createLogger } from '../../../../src/platform/logger.js';
import { REDIS_URL, uniquePrefix } from '../../../support/redis.js';
import { until } from '../../../support/until.js';

const log = createLogger({ level: 'silent', secrets: [] });
const SPEC: RoutineSpec = {
  name: 'digest',
  schedule: '* * * * *',
  timezone: 'UTC',
  summarize: 'C0GENERAL',
  postTo: 'C0LEADS',
  as: 'message',
};
const MINUTE = 60_000;

test('decide: first sight starts from the next slot; a slot runs once; a missed slot runs only within 24 h; a failing slot waits for its retry', () => {
  const slot = Date.UTC(2026, 11, 7, 9, 0);
  assert.deepEqual(decide(undefined, slot, slot + 5), { kind: 'init', slot });
  assert.deepEqual(decide({ handled: slot, coveredTo: slot }, slot, slot + 5), { kind: 'none' });
  assert.deepEqual(decide({ handled: slot - MINUTE, coveredTo: slot - MINUTE }, slot, slot + 5), {
    kind: 'run',
    slot,
  });
  // Every replica was down: the latest missed slot runs when one comes back, if recent enough.
  const old = { handled: slot - 10 * MINUTE, coveredTo: slot - 10 * MINUTE };
  assert.deepEqual(decide(old, slot, slot + MISSED_RUN_MAX_AGE_MS), { kind: 'run', slot });
  assert.deepEqual(decide(old, slot, slot + MISSED_RUN_MAX_AGE_MS + 1), { kind: 'skip', slot });
  const failing = { ...old, failing: { slot, attempts: 1, retryAt: slot + MINUTE, notified: true } };
  assert.deepEqual(decide(failing, slot, slot + 30_000), { kind: 'none' });
  assert.deepEqual(decide(failing, slot, slot + MINUTE), { kind: 'run', slot });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7].map(retryDelay),
    [1, 2, 4, 8, 16, 30, 30].map((m) => m * MINUTE),
  );
  // Cron in the routine's time zone: 09:00 in Paris is 08:00 UTC in December.
  const paris = { schedule: '0 9 * * *', timezone: 'Europe/Paris' };
  assert.equal(latestSlot(paris, Date.UTC(2026, 11, 7, 8, 30)), Date.UTC(2026, 11, 7, 8, 0));
  assert.equal(latestSlot(SPEC, slot), slot, 'a slot that is exactly now is due');
});

/** A scheduler over shared claims and book, with a clock the test moves. */
function replica(opts: {
  claims: RedisClaims | MemoryClaims;
  book: RedisRoutineBook | FileRoutineBook;
  now: () => number;
  runs: Array<{ replica: string; slot: number }>;
  name: string;
  /** Told while a run is under way (the other replica looks meanwhile). */
  during?: () => Promise<unknown>;
}) {
  return new RoutineScheduler({
    routines: () => [SPEC],
    book: opts.book,
    claims: opts.claims,
    run: async (r: RoutineRun) => {
      opts.runs.push({ replica: opts.name, slot: r.slot });
      await opts.during?.();
      return { ok: true };
    },
    notify: async () => {},
    now: opts.now,
    tickMs: 60_000,
    leaseMs: 2000,
    log,
  });
}

test('two schedulers on one Redis, ticking together over five slots: each slot runs exactly once', async (t) => {
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  await until('redis', () => redis.status === 'ready');
  const prefix = uniquePrefix();
  let now = Math.floor(Date.now() / MINUTE) * MINUTE + 1000;
  const runs: Array<{ replica: string; slot: number }> = [];
  const both: RoutineScheduler[] = [];
  const make = (name: string) =>
    replica({
      claims: new RedisClaims(redis, prefix, log),
      book: new RedisRoutineBook(redis, prefix),
      now: () => now,
      runs,
      name,
      // While one runs a slot, both look again, several times.
      during: async () => {
        for (let k = 0; k < 3; k++) await Promise.all(both.map((s) => s.tick()));
      },
    });
  const a = make('a');
  const b = make('b');
  both.push(a, b);
  const settle = async () => {
    // Both look at once, again and again, until neither has a run under way.
    for (let k = 0; k < 5; k++) {
      await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
      await Promise.all([a.settled(), b.settled()]);
    }
  };
  await settle();
  const start = Math.floor(now / MINUTE) * MINUTE;
  for (let i = 1; i <= 5; i++) {
    now = start + i * MINUTE + 500;
    await settle();
  }
  await Promise.all([a.stop(), b.stop()]);
  assert.deepEqual(
    runs.map((r) => r.slot),
    [1, 2, 3, 4, 5].map((i) => start + i * MINUTE),
    `each slot once: ${JSON.stringify(runs)}`,
  );
});

test('with STATE_DIR, a restart neither repeats a slot nor loses one missed while it was down', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'routines-state-'));
  let now = Math.floor(Date.now() / MINUTE) * MINUTE + 1000;
  const start = Math.floor(now / MINUTE) * MINUTE;
  const runs: Array<{ replica: string; slot: number }> = [];
  const process = (name: string) =>
    replica({ claims: new MemoryClaims(), book: new FileRoutineBook(dir), now: () => now, runs, name });
  const first = process('first');
  await first.tick();
  await first.stop();
  now = start + MINUTE + 500;
  const second = process('second');
  await second.tick();
  await second.stop();
  // Down for three slots; the next process runs only the latest of them, once.
  now = start + 4 * MINUTE + 500;
  const third = process('third');
  await third.tick();
  await third.stop();
  const fourth = process('fourth');
  await fourth.tick();
  await fourth.stop();
  assert.deepEqual(runs, [
    { replica: 'second', slot: start + MINUTE },
    { replica: 'third', slot: start + 4 * MINUTE },
  ]);
});

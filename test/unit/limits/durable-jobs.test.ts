import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { DurableJobs } from '../../../src/limits/durable-jobs.js';
import { REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { until } from '../../support/until.js';

const LEASE_MS = 300;

test('a job is held by one replica at a time: a retry is a duplicate, a lapsed lease moves it with what was written, and the first holder learns it lost it', async (t) => {
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  await until('redis', () => redis.status === 'ready');
  const prefix = uniquePrefix();
  const a = new DurableJobs(redis, prefix, LEASE_MS);
  const b = new DurableJobs(redis, prefix, LEASE_MS);
  await a.prepare();
  const held = await a.accept('claim:T:C:1', '{"q":1}', 60_000);
  assert.notEqual(held, 'duplicate');
  const id = (held as { id: string }).id;
  assert.equal(
    await b.accept('claim:T:C:1', '{"q":1}', 60_000),
    'duplicate',
    'a Slack retry makes no second job',
  );
  await a.wrote(id, '111.222');
  assert.deepEqual(await b.takeOver(10), [], 'not while the lease is renewed');
  assert.equal(await a.renew(id), true);
  let taken: Awaited<ReturnType<DurableJobs['takeOver']>> = [];
  await until('the lease to lapse', async () => {
    taken = await b.takeOver(10);
    return taken.length > 0;
  });
  assert.deepEqual(
    taken.map((j) => [j.id, j.payload, j.written, j.attempts]),
    [[id, '{"q":1}', ['111.222'], 2]],
  );
  assert.equal(await a.renew(id), false, 'the first holder stops writing');
  assert.equal(await b.renew(id), true);
  assert.ok((await b.oldestAgeMs()) > 0);
  // b dies too: the next holder is its third.
  const c = new DurableJobs(redis, prefix, LEASE_MS);
  let again: typeof taken = [];
  await until('the second lease to lapse', async () => {
    again = await c.takeOver(10);
    return again.length > 0;
  });
  assert.deepEqual(
    again.map((j) => [j.id, j.payload, j.attempts]),
    [[id, '{"q":1}', 3]],
  );
  await c.done(id);
  assert.equal(await redis.xlen(`${prefix}jobs`), 0);
  assert.equal(await c.oldestAgeMs(), 0);
  // The event's claim and the (empty) stream are left: the question and what was written went.
  assert.deepEqual((await redis.keys(`${prefix}*`)).sort(), [`${prefix}claim:T:C:1`, `${prefix}jobs`]);
  await redis.del(`${prefix}jobs`, `${prefix}claim:T:C:1`);
});

test('a job handed back on shutdown is taken by another replica at its next sweep, without waiting for the lease', async (t) => {
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  await until('redis', () => redis.status === 'ready');
  const prefix = uniquePrefix();
  const a = new DurableJobs(redis, prefix, 60_000);
  const b = new DurableJobs(redis, prefix, 60_000);
  const held = (await a.accept('claim:T:C:2', '{}', 60_000)) as { id: string };
  assert.deepEqual(await b.takeOver(10), []);
  await a.handBack(held.id);
  assert.deepEqual(
    (await b.takeOver(10)).map((j) => [j.id, j.attempts]),
    [[held.id, 1]],
    'not counted as an attempt that died',
  );
  await b.done(held.id);
  await redis.del(`${prefix}jobs`, `${prefix}claim:T:C:2`);
});

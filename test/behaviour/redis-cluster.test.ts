/**
 * An organization-wide deployment on managed Redis in cluster or high-availability mode: REDIS_URL's
 * `redis+cluster://` and `redis+sentinel://` forms, against a three-node Redis Cluster and a
 * Sentinel the tests start themselves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { DurableJobs } from '../../src/limits/durable-jobs.js';
import { createLogger } from '../../src/platform/logger.js';
import { createRedis } from '../../src/platform/redis.js';
import { RedisWindow } from '../../src/slack/write/rate-window.js';
import { startPrivateRedis, uniquePrefix } from '../support/redis.js';
import { startRedisCluster, startSentinel } from '../support/redis-cluster.js';
import { startReplicas } from '../support/replicas.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, mention, waitForReplies } from '../support/visible.js';

/** The limit under test: its bucket holds 14 requests and refills 0.98 every 4 s. */
const RPM = 15;
const REFILL_MS = 60_000 / RPM;

test('on a 3-node Redis Cluster two replicas answer 20 questions exactly once, within one shared Claude limit and one cache', async (t) => {
  const cluster = await startRedisCluster();
  let replicas: Awaited<ReturnType<typeof startReplicas>>;
  try {
    replicas = await startReplicas(t, {
      env: { REDIS_URL: cluster.url, CLAUDE_REQUESTS_PER_MINUTE: String(RPM) },
      noRateTiers: true,
    });
  } finally {
    // After the replicas' own teardown: they stop before the cluster does.
    t.after(() => cluster.stop());
  }
  const { a, b, deliverTo } = replicas;
  const sim = a.sim;
  // 17 different questions, taken by one replica or the other: more than one minute's worth.
  const asked: Array<{ ts: string; text: string; by: 'a' | 'b' }> = [];
  for (let i = 0; i < 17; i++) {
    const by = i % 2 === 0 ? 'a' : 'b';
    deliverTo(by === 'a' ? a : b);
    const text = `question number ${i}: what is ${i} squared?`;
    asked.push({ ts: (await mention(sim, text)).ts, text, by });
  }
  for (const q of asked) await waitForReplies(sim, 'C0GENERAL', q.ts, 1, 45_000);
  // Three of them again, each through the replica that did not answer it: the shared cache.
  for (const q of asked.slice(0, 3)) {
    deliverTo(q.by === 'a' ? b : a);
    asked.push({ ts: (await mention(sim, q.text)).ts, text: q.text, by: q.by === 'a' ? 'b' : 'a' });
  }
  for (const q of asked.slice(17)) await waitForReplies(sim, 'C0GENERAL', q.ts, 1, 15_000);

  assert.equal(asked.length, 20);
  for (const q of asked) {
    assert.equal(botReplies(sim, 'C0GENERAL', q.ts).length, 1, `one answer in the thread of "${q.text}"`);
  }
  const requests = [...a.claude.requests, ...b.claude.requests].sort((x, y) => x.at - y.at);
  assert.equal(requests.length, 17, 'the three repeated questions were answered from the shared cache');
  assert.ok(a.claude.requests.length > 0 && b.claude.requests.length > 0, 'both replicas asked Claude');
  // Before the shared bucket's first refill, no more than it holds reached Claude; two buckets of
  // their own would have let all 17 through at once.
  const first = requests[0]?.at ?? 0;
  const early = requests.filter((r) => r.at - first < REFILL_MS).length;
  assert.ok(early <= RPM, `${early} requests within ${REFILL_MS} ms (limit ${RPM}/min shared by both)`);
  // No command was refused by the cluster (CROSSSLOT: keys of one call in different hash slots), and
  // nothing fell back to one replica's memory.
  const trouble = [...a.logs, ...b.logs].filter((l) =>
    /CROSSSLOT|non local key|redis unavailable|not durable|fell back|local limiter/i.test(l),
  );
  assert.deepEqual(trouble, []);
  // Everything lives in the cluster, under the bot's prefix; per-workspace keys share a hash slot.
  const probe = new Redis.Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
  probe.on('error', () => {});
  t.after(() => probe.disconnect());
  await new Promise((resolve) => probe.once('ready', resolve));
  const keys = (await Promise.all(probe.nodes('master').map((node) => node.keys('*')))).flat();
  assert.ok(
    keys.some((k) => /\{T[A-Z0-9]+\}:claim:|claim:\{T[A-Z0-9]+\}/.test(k)),
    `claims: ${keys.join(' ')}`,
  );
  assert.ok(
    keys.some((k) => k.startsWith('b_{')),
    'the Claude limits (Bottleneck) are in the cluster',
  );
});

test('a Sentinel URL: the bot finds the primary through the Sentinel and answers', async (t) => {
  const primary = await startPrivateRedis();
  const sentinel = await startSentinel(primary.port).catch(async (err) => {
    await primary.down();
    throw err;
  });
  const prefix = uniquePrefix();
  let rig: Awaited<ReturnType<typeof startRig>>;
  try {
    rig = await startRig(t, { env: { REDIS_URL: sentinel.url, REDIS_KEY_PREFIX: prefix } });
  } finally {
    t.after(async () => {
      await sentinel.stop();
      await primary.down();
    });
  }
  const { sim } = rig;
  const message = await mention(sim, 'hello through the sentinel');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  const direct = new Redis(primary.url);
  t.after(() => direct.disconnect());
  const keys = await direct.keys(`${prefix}*`);
  assert.ok(
    keys.some((k) => k.includes('claim:')),
    `the claim is in the primary: ${keys.join(' ')}`,
  );
});

test('on a Redis Cluster the quota windows and durable jobs run their scripts within one hash slot', async (t) => {
  const cluster = await startRedisCluster();
  t.after(() => cluster.stop());
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    secrets: [],
    destination: { write: (l: string) => logs.push(l) } as never,
  });
  const redis = createRedis(cluster.url, log);
  t.after(() => redis.disconnect());
  await new Promise((resolve) => redis.once('ready', resolve));
  const prefix = uniquePrefix();
  // A workspace's start quota, two a minute, shared by two replicas' windows: the third start
  // waits, whichever replica asks; a block set by one refuses the other at once.
  const window = new RedisWindow(redis, `${prefix}slack-quota:`);
  const other = new RedisWindow(redis, `${prefix}slack-quota:`);
  assert.equal(await window.take('start:T1', 2, 60_000), 0);
  assert.equal(await window.take('start:T1', 2, 60_000), 0);
  assert.ok((await other.take('start:T1', 2, 60_000)) > 0, 'the third start in a minute waits');
  await window.block('start:T2', 60_000);
  assert.ok((await other.take('start:T2', 2, 60_000)) > 0, 'a blocked workspace waits');
  // A job of workspace T1: accepted with its claim, a redelivery refused, taken over by another
  // replica once its lease lapsed, then done.
  const a = new DurableJobs(redis, prefix, 1);
  const b = new DurableJobs(redis, prefix, 1);
  const held = await a.accept('claim:{T1}:C1:1.0', '{"q":1}', 60_000);
  assert.notEqual(held, 'duplicate');
  assert.equal(await b.accept('claim:{T1}:C1:1.0', '{"q":1}', 60_000), 'duplicate');
  const id = (held as { id: string }).id;
  await a.wrote(id, '1.1');
  assert.equal(await a.renew(id), true);
  let taken: Awaited<ReturnType<typeof b.takeOver>> = [];
  await until('the lapsed job taken over', async () => {
    taken = await b.takeOver(10);
    return taken.length === 1;
  });
  assert.deepEqual(
    taken.map((j) => [j.id, j.payload, j.written]),
    [[id, '{"q":1}', ['1.1']]],
  );
  await b.done(id);
  assert.equal(await b.oldestAgeMs(), 0);
  const keys = (
    await Promise.all(
      (redis as InstanceType<typeof Redis.Cluster>).nodes('master').map((n) => n.keys(`${prefix}*`)),
    )
  ).flat();
  assert.deepEqual(
    keys.filter((k) => /job-(text|written)/.test(k)),
    [],
    "the job's question and record are gone",
  );
  assert.deepEqual(
    logs.filter((l) => /CROSSSLOT|non local key/.test(l)),
    [],
  );
});

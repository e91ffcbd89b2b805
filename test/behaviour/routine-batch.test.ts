/** Routines marked `batch: true`: the digest's Claude calls go through the Message Batches API. */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { metricLines } from '../support/rig.js';
import { digests, failureNotices, seedGeneral, startRoutines } from '../support/routines.js';
import { until } from '../support/until.js';

const BATCHED = {
  name: 'cheap-digest',
  schedule: '* * * * *',
  summarize: '#general',
  post_to: '#leads',
  batch: true,
};

/** A fake Anthropic whose batches end only when the test completes them. */
async function fakeClaude(t: TestContext) {
  const claude = await startFakeAnthropic({ batchDelayMs: undefined });
  t.after(() => claude.close());
  return claude;
}

test('batch: true: the digest is asked through a message batch, polled, and delivered; usage at half the price, the saving counted', async (t) => {
  const claude = await fakeClaude(t);
  const { sim, bot, clock, leads } = await startRoutines(t, [BATCHED], {
    claude,
    env: { BATCH_POLL_SECONDS: '1', ADMIN_USER_IDS: 'U0ALICE' },
  });
  const slot = clock.minute() + 60_000;
  seedGeneral(sim, slot - 60_000, 10, 'We ship v2 on Friday.');
  clock.set(slot);
  await until('a batch submitted', () => claude.batches.created.length === 1);
  const [batch] = claude.batches.created;
  assert.equal(batch?.requests.length, 1);
  assert.match(batch?.requests[0]?.custom_id ?? '', /^[a-zA-Z0-9_-]{1,64}$/);
  assert.match(JSON.stringify(batch?.requests[0]?.params), /We ship v2 on Friday/);
  assert.equal(claude.requests.length, 0, 'nothing through the Messages API');
  // Polled while in progress; nothing posted until it ends.
  await until('polled', () => claude.batches.polls >= 1);
  assert.equal(digests(sim, leads).length, 0);
  await claude.batches.complete();
  const [d] = await sim.waitFor(() => digests(sim, leads).length === 1 && digests(sim, leads), {
    what: 'the digest',
  });
  assert.equal(d?.slot, slot);
  assert.match(d?.message.text ?? '', /Digest of #general/);
  // The saving is counted, and the call's cost at half the list price.
  await until('the batch counted', async () =>
    (await metricLines(bot, 'slackbot_claude_batches_total')).some((l) => /event="succeeded"/.test(l)),
  );
  const [saving] = await metricLines(bot, 'slackbot_claude_batch_saving_usd_total');
  const [cost] = await metricLines(bot, 'slackbot_claude_cost_usd_total');
  const value = (l: string | undefined) => Number(l?.split(' ').at(-1));
  assert.ok(value(saving) > 0, saving);
  assert.ok(Math.abs(value(saving) - value(cost)) < 1e-9, `saving ${saving} equals the cost paid ${cost}`);
  for (let k = 0; k < 5; k++) await bot.routines.tick();
  assert.equal(claude.batches.created.length, 1, 'submitted once');
});

test('a restart between submit and result: the new process finds the pending batch, does not submit again, and delivers once', async (t) => {
  const claude = await fakeClaude(t);
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix(), BATCH_POLL_SECONDS: '1' };
  const a = await startRoutines(t, [BATCHED], { claude, env, tickMs: 10, leaseMs: 300 });
  const { sim, clock, leads } = a;
  const slot = clock.minute() + 60_000;
  seedGeneral(sim, slot - 60_000, 5, 'Incident 42 is closed.', 'U0CARLA');
  clock.set(slot);
  await until('A submitted the batch', () => claude.batches.created.length === 1);
  // A stops as if killed: its lease lapses, nothing more from it.
  a.bot.routines.halt();
  await a.bot.stop();
  const b = await startRoutines(t, [BATCHED], {
    claude,
    sim,
    env,
    clock,
    tickMs: 10,
    leaseMs: 300,
    awaitScheduled: false,
  });
  await until('B resumed the pending batch', () => b.logs.some((l) => l.includes('batched call resumed')));
  await claude.batches.complete();
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest, by B' });
  for (let k = 0; k < 5; k++) await b.bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1, 'delivered once');
  assert.equal(claude.batches.created.length, 1, 'one batch in all');
  assert.equal(digests(sim, leads)[0]?.slot, slot);
});

test('a batch whose polls keep failing (a revoked key) is given up: the channel is told once, and the retry submits a new batch and posts the digest once', async (t) => {
  const claude = await fakeClaude(t);
  const hourly = { ...BATCHED, name: 'hourly-cheap', schedule: '0 * * * *' };
  const { sim, bot, logs, clock, leads } = await startRoutines(t, [hourly], {
    claude,
    env: { BATCH_POLL_SECONDS: '1', BATCH_POLL_MAX_SECONDS: '1', BATCH_POLL_MAX_FAILURES: '2' },
  });
  const slot = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
  seedGeneral(sim, slot - 60_000, 10, 'The audit starts Monday.');
  claude.batches.pollFault = 401;
  clock.set(slot);
  const notices = () => failureNotices(sim, leads);
  await sim.waitFor(() => notices().length === 1, { what: 'the failure notice' });
  assert.match(notices()[0]?.text ?? '', /`hourly-cheap`.*#general/);
  assert.ok(logs.some((l) => l.includes('batched call given up')));
  assert.equal(claude.batches.created.length, 1);
  // Still failing at the retry (a new batch, given up too): nothing more is said.
  clock.set(slot + 61_000);
  await until('the second batch', () => claude.batches.created.length === 2);
  await until('the second attempt failed', () => logs.filter((l) => l.includes('will retry')).length === 2);
  // The key works again: the next retry submits anew (the given-up ids are forgotten) and posts once.
  claude.batches.pollFault = undefined;
  clock.set(slot + 61_000 + 121_000);
  await until('the third batch', () => claude.batches.created.length === 3);
  await claude.batches.complete();
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest after the retries' });
  for (let k = 0; k < 3; k++) await bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1);
  assert.equal(digests(sim, leads)[0]?.slot, slot);
  assert.equal(notices().length, 1, 'told once');
  assert.equal(claude.batches.created.length, 3);
});

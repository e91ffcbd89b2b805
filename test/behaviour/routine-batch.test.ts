/** Routines marked `batch: true`: the digest's Claude calls go through the Message Batches API. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { addLeads, digests, routinesFile, testClock, tsIn } from '../support/routines.js';
import { until } from '../support/until.js';

const BATCHED = {
  name: 'cheap-digest',
  schedule: '* * * * *',
  summarize: '#general',
  post_to: '#leads',
  batch: true,
};

const metric = async (
  bot: { metrics: { registry: { getSingleMetricAsString(n: string): Promise<string> } } },
  name: string,
) =>
  (await bot.metrics.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => !l.startsWith('#') && l.trim());

test('batch: true: the digest is asked through a message batch, polled, and delivered; usage at half the price, the saving counted', async (t) => {
  const clock = testClock();
  const claude = await startFakeAnthropic({ batchDelayMs: undefined });
  t.after(() => claude.close());
  const { sim, bot, logs } = await startRig(t, {
    claude,
    env: {
      CLAUDE_PROFILES_FILE: routinesFile(t, [BATCHED]),
      BATCH_POLL_SECONDS: '1',
      ADMIN_USER_IDS: 'U0ALICE',
    },
    routines: { now: clock.now, tickMs: 20 },
  });
  const leads = addLeads(sim);
  const slot = clock.minute() + 60_000;
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'We ship v2 on Friday.',
    ts: tsIn(slot - 60_000, 10),
  });
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
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
    (await metric(bot, 'slackbot_claude_batches_total')).some((l) => /event="succeeded"/.test(l)),
  );
  const [saving] = await metric(bot, 'slackbot_claude_batch_saving_usd_total');
  const [cost] = await metric(bot, 'slackbot_claude_cost_usd_total');
  const value = (l: string | undefined) => Number(l?.split(' ').at(-1));
  assert.ok(value(saving) > 0, saving);
  assert.ok(Math.abs(value(saving) - value(cost)) < 1e-9, `saving ${saving} equals the cost paid ${cost}`);
  for (let k = 0; k < 5; k++) await bot.routines.tick();
  assert.equal(claude.batches.created.length, 1, 'submitted once');
});

test('a restart between submit and result: the new process finds the pending batch, does not submit again, and delivers once', async (t) => {
  const clock = testClock();
  const claude = await startFakeAnthropic({ batchDelayMs: undefined });
  t.after(() => claude.close());
  const sim = await SlackSim.start();
  t.after(() => sim.close());
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    CLAUDE_PROFILES_FILE: routinesFile(t, [BATCHED]),
    BATCH_POLL_SECONDS: '1',
  };
  const routines = { now: clock.now, tickMs: 10, leaseMs: 300 };
  const a = await startRig(t, { claude, sim, env, routines });
  const leads = addLeads(sim);
  const slot = clock.minute() + 60_000;
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0CARLA',
    text: 'Incident 42 is closed.',
    ts: tsIn(slot - 60_000, 5),
  });
  await until('the routine is scheduled', () => a.logs.some((l) => l.includes('routine scheduled')));
  clock.set(slot);
  await until('A submitted the batch', () => claude.batches.created.length === 1);
  // A stops as if killed: its lease lapses, nothing more from it.
  a.bot.routines.halt();
  await a.bot.stop();
  const b = await startRig(t, { claude, sim, env, routines });
  await until('B resumed the pending batch', () => b.logs.some((l) => l.includes('batched call resumed')));
  await claude.batches.complete();
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest, by B' });
  for (let k = 0; k < 5; k++) await b.bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1, 'delivered once');
  assert.equal(claude.batches.created.length, 1, 'one batch in all');
  assert.equal(digests(sim, leads)[0]?.slot, slot);
});

test('a batch whose polls keep failing (a revoked key) is given up: the channel is told once, and the retry submits a new batch and posts the digest once', async (t) => {
  const clock = testClock();
  const claude = await startFakeAnthropic({ batchDelayMs: undefined });
  t.after(() => claude.close());
  const hourly = { ...BATCHED, name: 'hourly-cheap', schedule: '0 * * * *' };
  const { sim, bot, logs } = await startRig(t, {
    claude,
    env: {
      CLAUDE_PROFILES_FILE: routinesFile(t, [hourly]),
      BATCH_POLL_SECONDS: '1',
      BATCH_POLL_MAX_SECONDS: '1',
      BATCH_POLL_MAX_FAILURES: '2',
    },
    routines: { now: clock.now, tickMs: 20 },
  });
  const leads = addLeads(sim);
  const slot = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'The audit starts Monday.',
    ts: tsIn(slot - 60_000, 10),
  });
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
  claude.batches.pollFault = 401;
  clock.set(slot);
  const notices = () => sim.messages(leads).filter((m) => /could not write its digest/.test(m.text));
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

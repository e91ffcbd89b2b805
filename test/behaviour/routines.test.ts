import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import { markdownOf } from '../support/blocks.js';
import { heldClaude } from '../support/held-claude.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { startReplicas } from '../support/replicas.js';
import { requestText, startRig } from '../support/rig.js';
import {
  addLeads,
  digests,
  failureNotices,
  ranIn,
  routinesFile,
  scheduled,
  seedGeneral,
  slotMessages,
  startRoutines,
  testClock,
} from '../support/routines.js';
import { until } from '../support/until.js';

const EVERY_MINUTE = {
  name: 'general-digest',
  schedule: '* * * * *',
  timezone: 'Europe/Paris',
  summarize: '#general',
  post_to: '#leads',
};

test('a routine every minute posts a digest of its channel in the target channel at the next slot, with its sources', async (t) => {
  const { sim, bot, clock, leads } = await startRoutines(t, [EVERY_MINUTE]);
  const start = clock.minute();
  const shipped = seedGeneral(sim, start, 10, 'We decided to ship v2 on Friday.');
  await bot.routines.tick();
  assert.equal(digests(sim, leads).length, 0, 'nothing before its first slot');

  // One scheduled minute later.
  clock.set(start + 60_000);
  const [first] = await sim.waitFor(() => digests(sim, leads).length === 1 && digests(sim, leads), {
    what: 'the digest',
  });
  assert.equal(first?.slot, start + 60_000);
  assert.match(first?.message.text ?? '', /Digest of #general/);
  const md = markdownOf(first?.message ?? {});
  assert.ok(md.includes(`archives/C0GENERAL/p${shipped.ts.replace('.', '')}`), md);
});

test('two replicas on one Redis: over five scheduled minutes, exactly one digest per minute', async (t) => {
  const clock = testClock();
  const file = routinesFile(t, [EVERY_MINUTE]);
  const { a, b } = await startReplicas(t, {
    env: { CLAUDE_PROFILES_FILE: file },
    routines: { now: clock.now, tickMs: 10 },
  });
  const { sim } = a;
  const leads = addLeads(sim);
  const start = clock.minute();
  await until('the routine is scheduled', () =>
    [...a.logs, ...b.logs].some((l) => l.includes('routine scheduled')),
  );
  for (let i = 1; i <= 5; i++) {
    const slot = start + i * 60_000;
    seedGeneral(sim, slot - 60_000, 30, `Update ${i}: on track.`, 'U0CARLA');
    clock.set(slot + 5_000);
    await sim.waitFor(() => digests(sim, leads).length >= i, { what: `digest ${i}` });
    // Both replicas look again, many times, within the same minute: nothing more is posted.
    for (let k = 0; k < 5; k++) await Promise.all([a.bot.routines.tick(), b.bot.routines.tick()]);
  }
  const ran = () => [...a.logs, ...b.logs].filter((l) => l.includes('"routine ran"')).length;
  await until('five runs recorded', () => ran() === 5);
  for (let k = 0; k < 5; k++) await Promise.all([a.bot.routines.tick(), b.bot.routines.tick()]);
  const posted = digests(sim, leads);
  assert.deepEqual(
    posted.map((d) => d.slot),
    [1, 2, 3, 4, 5].map((i) => start + i * 60_000),
    'one digest per scheduled minute, in order',
  );
  assert.equal(ran(), 5, 'five runs in all, on either replica');
  assert.equal(slotMessages(sim, leads).length, 5, 'one message a minute');
});

/** Replica A runs the routine; B has no routines until `enable()` (as if it started later). */
async function replicaPair(t: TestContext, routine: Record<string, unknown>) {
  const clock = testClock();
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() };
  const withRoutine = routinesFile(t, [routine]);
  const without = routinesFile(t, []);
  const routines = { now: clock.now, tickMs: 10, leaseMs: 300 };
  // Short single-flight leases too: a killed replica's Claude call stops holding B's back.
  const claimLeaseMs = 500;
  const a = await startRig(t, { env: { ...env, CLAUDE_PROFILES_FILE: withRoutine }, routines, claimLeaseMs });
  const b = await startRig(t, {
    env: { ...env, CLAUDE_PROFILES_FILE: without },
    routines,
    claimLeaseMs,
    sim: a.sim,
  });
  const leads = addLeads(a.sim);
  await scheduled(a.logs);
  const enable = () => {
    writeFileSync(without, readFileSync(withRoutine));
    assert.equal(b.bot.reloadProfiles('test'), true);
  };
  return { a, b, sim: a.sim, clock, leads, enable };
}

test('a replica killed while its run waits for Claude: another takes the slot up after the lease, and the digest is posted once', async (t) => {
  const { a, b, sim, clock, leads, enable } = await replicaPair(t, EVERY_MINUTE);
  // A's call dies with A (its connection drops): in this process it fails once A is halted.
  const held = heldClaude(a.claude, () => ({ status: 500 }));
  const slot = clock.minute() + 60_000;
  seedGeneral(sim, slot - 60_000, 20, 'Release moved to Monday.');
  clock.set(slot);
  await until('A asks Claude', () => held.waiting > 0);
  // A's message shows the plan in #leads: B carries on in it.
  const [shown] = await sim.waitFor(() => slotMessages(sim, leads).length === 1 && slotMessages(sim, leads), {
    what: 'A’s plan in #leads',
  });
  assert.equal(shown?.writing, true);
  a.bot.routines.halt();
  held.release();
  enable();
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest, by B' });
  assert.equal(digests(sim, leads)[0]?.message.ts, shown?.message.ts, 'the digest is A’s message, finished');
  await ranIn(b.logs, 'B recorded the run');
  await a.bot.routines.stop();
  for (let k = 0; k < 5; k++) await b.bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1, 'one digest');
  assert.equal(digests(sim, leads)[0]?.slot, slot);
  assert.equal(b.claude.requests.length, 1, 'B wrote it');
  assert.equal(slotMessages(sim, leads).length, 1, 'one message in #leads');
  assert.equal(
    sim.messages(leads).filter((m) => /could not write/.test(m.text)).length,
    0,
    'a killed replica tells no one',
  );
});

test('a replica killed the moment its digest is posted: the replica after finds it, and posts nothing more', async (t) => {
  const { a, b, sim, clock, leads, enable } = await replicaPair(t, EVERY_MINUTE);
  const slot = clock.minute() + 60_000;
  seedGeneral(sim, slot - 60_000, 20, 'Release moved to Monday.');
  // Killed as Slack stores the digest (the plan's message turned into it), before A can record it.
  const onCall = (call: { method: string; args: Record<string, unknown> }) => {
    if (call.method !== 'chat.update' || call.args.channel !== leads) return;
    const blocks = call.args.blocks;
    if (!/"type":"markdown"/.test(typeof blocks === 'string' ? blocks : JSON.stringify(blocks))) return;
    sim.off('call', onCall);
    a.bot.routines.halt();
  };
  sim.on('call', onCall);
  clock.set(slot);
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest, by A' });
  await a.bot.routines.stop();
  enable();
  await until('B found the digest A posted', () =>
    b.logs.some((l) => l.includes('routine digest was posted before its replica died')),
  );
  await ranIn(b.logs, 'B recorded the run');
  for (let k = 0; k < 5; k++) await b.bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1, 'one digest');
  assert.equal(slotMessages(sim, leads).length, 1, 'and no other message of that slot');
});

test('a run that fails tells the target channel once, retries with backoff, then posts its digest once', async (t) => {
  const hourly = { ...EVERY_MINUTE, name: 'hourly', schedule: '0 * * * *' };
  const { sim, bot, logs, claude, clock, leads } = await startRoutines(t, [hourly], { tickMs: 10 });
  const slot = Math.ceil(clock.now() / 3_600_000) * 3_600_000;
  seedGeneral(sim, slot - 60_000, 20, 'Budget approved.');
  claude.enqueue({ status: 529 }, { status: 529 });
  clock.set(slot);
  const notices = () => failureNotices(sim, leads);
  await sim.waitFor(() => notices().length === 1, { what: 'the failure notice' });
  assert.match(notices()[0]?.text ?? '', /`hourly`.*#general[\s\S]*overloaded/);
  // The slot's message shows the plan where it stopped, not an hourglass, and that it is tried again.
  const shown = await sim.waitFor(
    () => slotMessages(sim, leads).find((d) => /Not written yet/.test(d.message.text))?.message,
    { what: 'the slot’s message saying it failed' },
  );
  assert.doesNotMatch(JSON.stringify(shown.blocks), /hourglass/);
  // Not retried before its backoff (1 minute), then retried: it fails again, and says nothing more.
  for (let k = 0; k < 3; k++) await bot.routines.tick();
  assert.equal(logs.filter((l) => l.includes('will retry')).length, 1);
  clock.set(slot + 61_000);
  await until('the second attempt failed', () => logs.filter((l) => l.includes('will retry')).length === 2);
  for (let k = 0; k < 3; k++) await bot.routines.tick();
  assert.equal(notices().length, 1, 'told once');
  assert.equal(digests(sim, leads).length, 0);
  // Two minutes after that, it succeeds.
  clock.set(slot + 61_000 + 121_000);
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the digest after the retries' });
  for (let k = 0; k < 3; k++) await bot.routines.tick();
  assert.equal(digests(sim, leads).length, 1);
  assert.equal(digests(sim, leads)[0]?.slot, slot);
  assert.equal(slotMessages(sim, leads).length, 1, 'the retries carried on in the first attempt’s message');
  assert.equal(notices().length, 1);
});

test('every replica down for three scheduled minutes: the one that comes back runs the latest of them, once, reading from where the last digest ended', async (t) => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() };
  const first = await startRoutines(t, [EVERY_MINUTE], { env, tickMs: 10 });
  const { sim, clock, leads } = first;
  const start = clock.minute();
  seedGeneral(sim, start, 10, 'First: the plan is agreed.');
  clock.set(start + 60_000);
  await sim.waitFor(() => digests(sim, leads).length === 1, { what: 'the first digest' });
  await ranIn(first.logs);
  await first.bot.stop();

  // Down through three slots, with news in each of them.
  const news = [1, 2, 3].map((i) =>
    seedGeneral(sim, start + i * 60_000, 10, `Down ${i}: still on track.`, 'U0CARLA'),
  );
  clock.set(start + 4 * 60_000 + 5_000);
  const back = await startRoutines(t, [EVERY_MINUTE], { env, sim, clock, tickMs: 10, awaitScheduled: false });
  await sim.waitFor(() => digests(sim, leads).length === 2, { what: 'the made-up digest' });
  for (let k = 0; k < 5; k++) await back.bot.routines.tick();
  await ranIn(back.logs);
  const made = digests(sim, leads);
  assert.deepEqual(
    made.map((d) => d.slot),
    [start + 60_000, start + 4 * 60_000],
    'the latest missed slot only',
  );
  // Its window starts where the last digest ended: the news of all three minutes reach Claude.
  const asked = back.claude.requests.map((r) => requestText(r.body)).join('\n');
  for (const m of news) assert.ok(asked.includes(m.text), `${m.text} is read for the made-up digest`);
  assert.ok(!asked.includes('First: the plan is agreed.'), 'nothing the first digest had');
});

test('a replica killed the moment it adds its section to the routine canvas: the replica after finds the section, and adds none', async (t) => {
  const routine = { ...EVERY_MINUTE, name: 'canvas-digest', as: 'canvas' };
  const { a, b, sim, clock, leads, enable } = await replicaPair(t, routine);
  const start = clock.minute();
  seedGeneral(sim, start, 20, 'Ship on Friday.');
  clock.set(start + 60_000);
  const canvas = await sim.waitFor(() => sim.canvases()[0], { what: 'the canvas, by A' });
  await ranIn(a.logs, 'A recorded its first run');
  seedGeneral(sim, start + 60_000, 20, 'Notes are ready.', 'U0CARLA');
  const onCall = (call: { method: string }) => {
    if (call.method !== 'canvases.edit') return;
    sim.off('call', onCall);
    a.bot.routines.halt();
  };
  sim.on('call', onCall);
  clock.set(start + 120_000);
  await sim.waitFor(() => canvas.edits === 1, { what: 'A’s section' });
  await a.bot.routines.stop();
  enable();
  await ranIn(b.logs, 'B recorded the run');
  for (let k = 0; k < 5; k++) await b.bot.routines.tick();
  assert.equal(canvas.edits, 1, 'the section is added once');
  assert.equal(sim.canvases().length, 1);
  assert.equal(canvas.sections.filter((s) => s.type === 'h2').length, 2);
  // One message a run, each ending with the canvas's link: A's second is the one B finished.
  const said = sim.messages(leads).filter((m) => m.user === sim.botUserId);
  assert.equal(said.length, 2, 'one message a run');
  assert.deepEqual(
    slotMessages(sim, leads).map((d) => [d.slot, d.writing]),
    [
      [start + 60_000, false],
      [start + 120_000, false],
    ],
  );
  assert.match(JSON.stringify(said[1]?.blocks), /Added to the routine’s canvas/);
});

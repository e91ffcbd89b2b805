import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startReplicas } from '../support/replicas.js';
import { startRig } from '../support/rig.js';
import { addLeads, digests, routinesFile, testClock, tsIn } from '../support/routines.js';
import { until } from '../support/until.js';

type Block = { type?: string; text?: unknown };
const markdownOf = (m: { blocks?: unknown[] }) =>
  ((m.blocks ?? []) as Block[])
    .filter((b) => b.type === 'markdown')
    .map((b) => String(b.text))
    .join('\n');

const EVERY_MINUTE = {
  name: 'general-digest',
  schedule: '* * * * *',
  timezone: 'Europe/Paris',
  summarize: '#general',
  post_to: '#leads',
};

test('a routine every minute posts a digest of its channel in the target channel at the next slot, with its sources', async (t) => {
  const clock = testClock();
  const file = routinesFile(t, [EVERY_MINUTE]);
  const { sim, bot, logs } = await startRig(t, {
    env: { CLAUDE_PROFILES_FILE: file },
    routines: { now: clock.now, tickMs: 20 },
  });
  const leads = addLeads(sim);
  const start = clock.minute();
  const shipped = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'We decided to ship v2 on Friday.',
    ts: tsIn(start, 10),
  });
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
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
    sim.seedMessage({
      channel: 'C0GENERAL',
      user: 'U0CARLA',
      text: `Update ${i}: on track.`,
      ts: tsIn(slot - 60_000, 30),
    });
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
});

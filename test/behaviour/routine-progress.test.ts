import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlackSim } from '../../sandbox/slack/sim.js';
import type { SimCall } from '../../sandbox/slack/types.js';
import { startRig } from '../support/rig.js';
import { addLeads, digests, routinesFile, slotMessages, testClock } from '../support/routines.js';
import { until } from '../support/until.js';

type Task = { task_id: string; title: string; status?: string };
type Block = { type?: string; title?: string; tasks?: Task[]; text?: unknown };

const blocksOf = (call: SimCall): Block[] => {
  const b = call.args.blocks;
  return (typeof b === 'string' ? JSON.parse(b) : (b ?? [])) as Block[];
};
const planOf = (call: SimCall) => blocksOf(call).find((b) => b.type === 'plan');
const hasDigest = (call: SimCall) => blocksOf(call).some((b) => b.type === 'markdown');
/** The task under way (or the last one done) of a plan. */
const under = (call: SimCall) => {
  const tasks = planOf(call)?.tasks ?? [];
  return (
    (tasks.find((t) => t.status === 'in_progress') ?? tasks.findLast((t) => t.status !== 'pending'))?.title ??
    ''
  );
};

/** `n` messages of the last hours in #general, from three people. */
function seed(sim: SlackSim, n: number): void {
  const start = Math.floor(Date.now() / 1000) - 10 * 3600;
  const people = ['U0ALICE', 'U0BOB', 'U0CARLA'];
  for (let i = 0; i < n; i++)
    sim.seedMessage({
      channel: 'C0GENERAL',
      user: people[i % 3] as string,
      text: `Update ${i}: the migration of service ${i % 40} is on track, the next step is a review by the team.`,
      ts: `${start + i}.000100`,
    });
}

test('a routine over a channel needing several parts shows its plan in the target channel, at least three updates, then the digest in that message, once', async (t) => {
  // Without Slack's read tiers: this is about what the channel sees, not about history paging.
  const sim = await SlackSim.start({
    rateLimits: { 'conversations.history': [{ limit: 1000, windowMs: 60_000, per: 'team' }] },
  });
  t.after(() => sim.close());
  const clock = testClock();
  const file = routinesFile(t, [
    { name: 'general-day', schedule: '* * * * *', summarize: '#general', post_to: '#leads', window: '24h' },
  ]);
  const { claude, logs } = await startRig(t, {
    env: { CLAUDE_PROFILES_FILE: file, CLAUDE_CONTEXT_TOKENS: '20000' },
    routines: { now: clock.now, tickMs: 20 },
    sim,
  });
  const leads = addLeads(sim);
  seed(sim, 1000);
  const writes: SimCall[] = [];
  sim.on('call', (c: SimCall) => {
    if (c.ok && c.args.channel === leads && /^chat\.(postMessage|update)$/.test(c.method)) writes.push(c);
  });
  await until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));
  clock.set(clock.minute() + 60_000);
  await sim.waitFor(() => digests(sim, leads).length === 1, { timeoutMs: 60_000, what: 'the digest' });
  await until('the run recorded', () => logs.some((l) => l.includes('"routine ran"')));

  const parts = claude.requests.filter((r) => /stage map\./.test(JSON.stringify(r.body))).length;
  assert.ok(parts >= 3, `map calls: ${parts}`);
  const at = writes.findIndex(hasDigest);
  const before = writes.slice(0, at);
  t.diagnostic(`plan updates: ${before.map(under).join(' | ')}`);
  assert.ok(before.length >= 3, `plan updates before the digest: ${before.length}`);
  assert.ok(
    before.every((c) => planOf(c)),
    'each shows the plan',
  );
  // The message is posted once, with the plan, and every later write edits it.
  assert.equal(before[0]?.method, 'chat.postMessage');
  assert.deepEqual(
    writes.slice(1).map((c) => c.method),
    writes.slice(1).map(() => 'chat.update'),
  );
  assert.match(
    JSON.stringify(planOf(before[0] as SimCall)?.tasks),
    /Read 1,000 messages/,
    'the first shows what was read',
  );
  const lines = before.map(under);
  assert.ok(
    lines.some((l) => new RegExp(`Summarizing part \\d+ of ${parts}`).test(l)),
    lines.join(' | '),
  );
  assert.match(lines.at(-1) ?? '', /Writing the summary/);
  // Then the digest, written once, in the same message, its plan complete.
  assert.equal(writes.filter(hasDigest).length, 1, 'the digest is written once');
  assert.equal(writes.length, at + 1, 'nothing after the digest');
  const [digest] = digests(sim, leads);
  for (const c of writes.slice(1)) assert.equal(c.args.ts, digest?.message.ts, 'edits of the one message');
  assert.equal(slotMessages(sim, leads).length, 1, 'one message in #leads');
  assert.equal(sim.messages(leads).filter((m) => m.user === sim.botUserId).length, 1);
  assert.match(digest?.message.text ?? '', /Digest of #general/);
  const final = (digest?.message.blocks ?? []) as Block[];
  assert.deepEqual(
    final.find((b) => b.type === 'plan')?.tasks?.map((x) => x.status),
    ['complete', 'complete', 'complete'],
  );
  assert.match(String(final.find((b) => b.type === 'markdown')?.text), /migration|Summary|TL;DR/i);
});

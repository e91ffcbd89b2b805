import assert from 'node:assert/strict';
import { test } from 'node:test';
import { streamPlan } from '../../sandbox/slack/api-stream.js';
import { type SimEphemeral, SlackSim } from '../../sandbox/slack/sim.js';
import { blocksOf, buttonValue, contextOf } from '../support/blocks.js';
import { heldClaude } from '../support/held-claude.js';
import { startRig } from '../support/rig.js';

const hasSummary = (e: SimEphemeral) => blocksOf(e).some((b) => b.type === 'markdown');
const stopValue = (m: { blocks?: unknown[] }) => buttonValue(m, 'summary_stop');

/** `n` top-level messages of the last hours in `channel`. */
function seed(sim: SlackSim, channel: string, n: number): void {
  const start = Math.floor(Date.now() / 1000) - 10 * 3600;
  const people = ['U0ALICE', 'U0BOB', 'U0CARLA'];
  for (let i = 0; i < n; i++)
    sim.seedMessage({
      channel,
      user: people[i % 3] as string,
      text: `Update ${i}: the migration of service ${i % 40} is on track, the next step is a review by the team.`,
      ts: `${start + i}.000100`,
    });
}

/** A sim without Slack's read tiers: this file is about what people see, not about history paging. */
async function sim(t: import('node:test').TestContext): Promise<SlackSim> {
  const s = await SlackSim.start({
    rateLimits: { 'conversations.history': [{ limit: 1000, windowMs: 60_000, per: 'team' }] },
  });
  t.after(() => s.close());
  return s;
}

test('a 1,000-message /summarize shows its plan privately, at least three updates, then the summary', async (t) => {
  const s = await sim(t);
  const { claude } = await startRig(t, { env: { CLAUDE_CONTEXT_TOKENS: '20000' }, sim: s });
  seed(s, 'C0GENERAL', 1000);
  s.reset();
  await s.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  await s.waitFor(() => s.ephemerals({ user: 'U0ALICE' }).find(hasSummary), { timeoutMs: 60_000 });

  const seen = s.ephemerals({ user: 'U0ALICE' }).filter((e) => e.via === 'response_url');
  const at = seen.findIndex(hasSummary);
  const before = seen.slice(0, at);
  const parts = claude.requests.filter((r) => /stage map\./.test(JSON.stringify(r.body))).length;
  assert.ok(parts >= 3, `map calls: ${parts}`);
  t.diagnostic(`progress lines: ${before.map((e) => e.text).join(' | ')}`);
  assert.ok(before.length >= 3, `progress before the summary: ${before.length}`);
  // In order: the plan is known, a part half way, the summary being written.
  assert.match(before[0]?.text ?? '', new RegExp(`Summarizing part 1 of ${parts}`));
  assert.match(before[1]?.text ?? '', new RegExp(`Summarizing part \\d+ of ${parts}`));
  assert.match(before.at(-1)?.text ?? '', /Writing the summary/);
  // Each line shows the whole plan: what is read, the parts, the summary still to write.
  assert.match(contextOf(before[0] ?? {}), /:white_check_mark: Read 1,000 messages/);
  assert.match(contextOf(before[0] ?? {}), /:white_circle: Writing the summary/);
  assert.match(contextOf(before.at(-1) ?? {}), new RegExp(`:white_check_mark: Summarized ${parts} parts`));
  assert.ok(stopValue(before[0] ?? {}), 'a Stop button');
  // response_url takes five responses; the summary was not refused for want of one.
  assert.ok(seen.length <= 5);
  assert.equal(s.messages('C0GENERAL').filter((m) => m.user === s.botUserId).length, 0, 'all private');
});

test('a public summary streams its plan as task chunks in its thread, then the summary in the same message', async (t) => {
  const s = await sim(t);
  await startRig(t, { env: { CLAUDE_CONTEXT_TOKENS: '20000' }, sim: s });
  seed(s, 'C0GENERAL', 400);
  s.reset();
  await s.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: 'public' });
  const parent = await s.waitFor(
    () => s.messages('C0GENERAL').find((m) => m.user === s.botUserId && (m.reply_count ?? 0) > 0),
    { timeoutMs: 60_000 },
  );
  const reply = await s.waitFor(() => {
    const r = s.thread('C0GENERAL', parent.ts)[1];
    return r && !r.streaming ? r : undefined;
  });
  const starts = s.callsTo('chat.startStream');
  assert.equal(starts.length, 1);
  assert.equal(starts[0]?.args.task_display_mode, 'plan');
  const first = JSON.parse(String(starts[0]?.args.chunks)) as Array<Record<string, unknown>>;
  assert.equal(first[0]?.type, 'plan_update');
  assert.deepEqual(
    first.slice(1).map((c) => [c.type, c.id, c.status]),
    [
      ['task_update', 'read', 'complete'],
      ['task_update', 'write', 'pending'],
    ],
  );
  // Updates are chunks only (never with markdown_text), in order, before the summary.
  const appends = s.callsTo('chat.appendStream').map((c) => JSON.parse(String(c.args.chunks)));
  assert.ok(appends.length >= 3, `appends: ${appends.length}`);
  for (const a of s.callsTo('chat.appendStream')) assert.equal(a.args.markdown_text, undefined);
  const titles: string[] = appends.flat().map((c: { title: string }) => c.title);
  assert.match(titles[0] ?? '', /Summarizing part 1 of \d+/);
  assert.ok(titles.some((x: string) => /Writing the summary/.test(x)));
  const plan = streamPlan(reply);
  assert.equal(plan?.mode, 'plan');
  assert.deepEqual(
    plan?.tasks.map((x) => x.status),
    ['complete', 'complete', 'complete'],
  );
  assert.match(reply.text, /TL;DR|Summary|migration/i, 'the summary is the stream’s text');
  assert.equal(s.thread('C0GENERAL', parent.ts).length, 2, 'the parent and one reply');
});

test('Stop under the progress stops the summary: no summary, no Claude answer waited for; only the asker can', async (t) => {
  const { sim: s, claude } = await startRig(t);
  seed(s, 'C0GENERAL', 20);
  const held = heldClaude(claude);
  await s.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const line = await s.waitFor(() => s.ephemerals({ user: 'U0ALICE' }).find((e) => stopValue(e)));
  assert.match(line.text, /Writing the summary/);
  await s.waitFor(() => held.waiting === 1 || undefined);
  // Someone else's press (a forged payload: the button is shown to the asker only) does nothing.
  await s.blockAction({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    actionId: 'summary_stop',
    value: stopValue(line) ?? '',
  });
  await s.blockAction({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    actionId: 'summary_stop',
    value: stopValue(line) ?? '',
  });
  await s.waitFor(() => s.ephemerals({ user: 'U0ALICE' }).find((e) => /Stopped/.test(e.text)));
  held.release();
  assert.equal(s.ephemerals({ user: 'U0ALICE' }).filter(hasSummary).length, 0, 'no summary');
  assert.equal(s.ephemerals({ user: 'U0BOB' }).length, 0);
});

test('a public summary can be stopped: Slack’s stop button on its plan, by the person who asked; nothing half done stays', async (t) => {
  const { sim: s, claude } = await startRig(t);
  seed(s, 'C0GENERAL', 20);
  const held = heldClaude(claude);
  await s.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: 'public' });
  const parent = await s.waitFor(() =>
    s.messages('C0GENERAL').find((m) => m.user === s.botUserId && (m.reply_count ?? 0) > 0),
  );
  await s.waitFor(() => held.waiting === 1 || undefined);
  // The person also has the Stop button privately.
  await s.waitFor(() => s.ephemerals({ user: 'U0ALICE' }).find((e) => stopValue(e)));
  await s.stopSession('C0GENERAL', parent.ts, 'U0ALICE');
  await s.waitFor(() => s.ephemerals({ user: 'U0ALICE' }).find((e) => /Stopped/.test(e.text)));
  held.release();
  await s.waitFor(() => s.messages('C0GENERAL').every((m) => m.user !== s.botUserId) || undefined, {
    what: 'the title and plan taken back',
  });
  assert.equal(s.ephemerals({ user: 'U0ALICE' }).filter((e) => /Only .* can stop/.test(e.text)).length, 0);
});

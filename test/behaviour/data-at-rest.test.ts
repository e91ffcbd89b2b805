import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { mention, waitForReplies } from '../support/visible.js';

test('every key the bot writes to Redis expires: answers, follow-ups, channel memory, summaries, shares, greetings, usage', async (t) => {
  const prefix = uniquePrefix();
  const redis = new Redis(REDIS_URL);
  t.after(async () => {
    const keys = [...(await redis.keys(`${prefix}*`)), ...(await redis.keys(`b_{${prefix}*`))];
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  const { sim } = await startRig(t, {
    env: {
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      ANSWER_THREAD_FOLLOWUPS: 'true',
      USER_REQUESTS_PER_HOUR: '50',
      USER_TOKENS_PER_DAY: '100000',
    },
  });
  // An answer in a thread (claim, cache, single-flight, queue, usage, budgets, answered thread).
  const message = await mention(sim, 'hello');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  // A remembered fact (channel memory) and a thread no longer followed ("@bot stop").
  for (const text of ['remember that backups run nightly', 'stop']) {
    const { message: m } = await sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      thread_ts: message.ts,
      text: `<@${sim.botUserId}> ${text}`,
    });
    await sim.waitFor(() =>
      sim.thread('C0GENERAL', message.ts).some((r) => r.ts > m.ts && r.user === sim.botUserId),
    );
  }
  // A summary and its Share button (saved summary, share claim).
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sim.waitFor(() =>
    sim
      .ephemerals({ user: 'U0ALICE' })
      .find((e) => e.via === 'response_url' && /summary_share/.test(JSON.stringify(e.blocks))),
  );
  const value = /"summary_share","text":\{[^}]*\},"value":"([^"]+)"/.exec(
    JSON.stringify(summary.blocks),
  )?.[1];
  assert.ok(value, 'a Share button');
  await sim.blockAction({ user: 'U0ALICE', channel: 'C0GENERAL', actionId: 'summary_share', value });
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Shared in the channel/.test(e.text)),
  );
  // The greeting (first open of the Messages tab) and the Home tab.
  await sim.openAppHome('U0BOB', 'messages');
  await sim.waitFor(() =>
    sim.conversations().find((c) => c.is_im && c.user === 'U0BOB' && sim.messages(c.id).length > 0),
  );
  await sim.openAppHome('U0ALICE', 'home');
  await sim.waitFor(() => sim.callsTo('views.publish').length > 0);

  const keys = [...(await redis.keys(`${prefix}*`)), ...(await redis.keys(`b_{${prefix}*`))];
  assert.ok(keys.length >= 10, `keys written: ${keys.join(', ')}`);
  const forever = [];
  for (const key of keys) if ((await redis.pttl(key)) < 0) forever.push(key);
  assert.deepEqual(forever, [], 'keys without an expiry');
});

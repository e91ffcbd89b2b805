import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpTransport } from '../../sandbox/slack/delivery.js';
import { buttonValue } from '../support/blocks.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { type Rig, startRig } from '../support/rig.js';
import { slowLink } from '../support/slow-link.js';

const shareValue = (m: { blocks?: unknown[] }) => buttonValue(m, 'summary_share');

test('Share clicked twice at once, each click handled by another replica, posts the summary once', async (t) => {
  const prefix = uniquePrefix();
  // Replica A hears from Redis 100 ms late, so B's click runs entirely inside A's: without one
  // atomic claim between them, both find the summary unshared.
  const slow = await slowLink(t, new URL(REDIS_URL), { replyDelayMs: 100 });
  const a = await startRig(t, { env: { REDIS_URL: slow, REDIS_KEY_PREFIX: prefix } });
  const b = await startRig(t, { env: { REDIS_URL, REDIS_KEY_PREFIX: prefix }, sim: a.sim });
  const { sim } = a;
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'We ship on Friday.' });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${a.port}/slack/events` });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => e.via === 'response_url' && shareValue(e)),
  );
  const value = shareValue(summary) as string;
  const click = { user: 'U0ALICE', channel: 'C0GENERAL', actionId: 'summary_share', value };
  // Both clicks leave together (a double click), each to the replica connected when it was made.
  const held: Array<() => void> = [];
  const together: HttpTransport = (url, r) =>
    new Promise<void>((go) => {
      held.push(go);
      if (held.length === 2) for (const release of held) release();
    }).then(async () => {
      const started = Date.now();
      const res = await fetch(url, { method: 'POST', headers: r.headers, body: r.body });
      return { status: res.status, body: await res.text(), ackMs: Date.now() - started };
    });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${a.port}/slack/events`, transport: together });
  const first = sim.blockAction(click);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${b.port}/slack/events`, transport: together });
  const second = sim.blockAction(click);
  const acks = await Promise.all([first, second]);
  assert.deepEqual(
    acks.map((r) => r.status),
    [200, 200],
  );
  // Both clicks are answered: one "shared", the other told it already was.
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Shared in the channel/.test(e.text)),
  );
  await sim.waitFor(() => sim.ephemerals({ user: 'U0ALICE' }).find((e) => /already shared/.test(e.text)));
  const parents = () => sim.messages('C0GENERAL').filter((m) => m.user === sim.botUserId);
  await sim.waitFor(() => parents().find((m) => (m.reply_count ?? 0) > 0));
  assert.equal(parents().length, 1, 'one public post');
  assert.equal(sim.callsTo('chat.postMessage').length, 2, 'the parent and its reply, once');
});

/** Alice's private summary of #general, and a press of its Share button. */
async function privateSummary(sim: Rig['sim']) {
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'We ship on Friday.' });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const summary = await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => e.via === 'response_url' && shareValue(e)),
  );
  const value = shareValue(summary) as string;
  return () => sim.blockAction({ user: 'U0ALICE', channel: 'C0GENERAL', actionId: 'summary_share', value });
}

/** The thread reply (the summary) fails once it is tried; `also` fails the next call to that method too. */
function failTheSummaryReply(sim: Rig['sim'], also?: string) {
  const onCall = (call: { method: string; args: Record<string, unknown> }) => {
    if (call.method !== 'chat.postMessage' || call.args.thread_ts) return;
    sim.off('call', onCall);
    // The parent was just posted; its reply is the next postMessage.
    sim.failNext('chat.postMessage', { error: 'internal_error' });
    if (also) sim.failNext(also, { error: 'internal_error' });
  };
  sim.on('call', onCall);
}

const botPosts = (sim: Rig['sim']) => sim.messages('C0GENERAL').filter((m) => m.user === sim.botUserId);

test('Share whose summary reply fails: the title is taken back, the person is told, and the next press posts the summary once', async (t) => {
  const { sim } = await startRig(t);
  const share = await privateSummary(sim);
  failTheSummaryReply(sim);
  await share();
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Something went wrong|try again/i.test(e.text)),
  );
  assert.equal(botPosts(sim).length, 0, 'no title left without its summary');
  await share();
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /Shared in the channel/.test(e.text)),
  );
  const posts = botPosts(sim);
  assert.equal(posts.length, 1, 'one public post');
  assert.equal(sim.thread('C0GENERAL', posts[0]!.ts).length, 2, 'the title and its summary');
});

test('Share whose summary reply fails and whose title cannot be taken back: the person is told, and a second press posts nothing more', async (t) => {
  const { sim } = await startRig(t);
  const share = await privateSummary(sim);
  failTheSummaryReply(sim, 'chat.delete');
  await share();
  await sim.waitFor(() =>
    sim.ephemerals({ user: 'U0ALICE' }).find((e) => /title was posted.*could not be added/.test(e.text)),
  );
  await share();
  await sim.waitFor(() => sim.ephemerals({ user: 'U0ALICE' }).find((e) => /already shared/.test(e.text)));
  assert.equal(botPosts(sim).length, 1, 'one public post');
  assert.equal(sim.callsTo('chat.postMessage').length, 2, 'the title and the one failed reply');
});

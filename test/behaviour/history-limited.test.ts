/**
 * A commercially distributed app outside the Marketplace gets one conversations.history / .replies
 * call a minute per workspace, 15 messages each (LIBRARY-FACTS). With SLACK_HISTORY_LIMITED the bot
 * reads within that: a thread once, then only what is new; from what it kept when the minute is
 * spent; and an answer that could not read its whole thread says so in one line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WebClient } from '@slack/web-api';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { microsToTs } from '../../sandbox/slack/state.js';
import { requestText, startRig } from '../support/rig.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

const NOTE = /could not read this whole thread/;

async function limitedRig(t: Parameters<typeof startRig>[0]) {
  const sim = await SlackSim.start({ historyLimited: true });
  t.after(() => sim.close());
  return startRig(t, { sim, env: { SLACK_HISTORY_LIMITED: 'true' } });
}

/** A thread in #general of `n` replies, the last a minute ago. */
function seedThread(sim: SlackSim, n: number) {
  const start = (Date.now() - n * 1000 - 60_000) * 1000;
  const parent = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0DANA',
    text: 'PARENT: the launch plan',
    ts: microsToTs(start),
  });
  for (let i = 1; i <= n; i++)
    sim.seedMessage({
      channel: 'C0GENERAL',
      user: 'U0BOB',
      text: `reply-${i}: a point about the launch`,
      ts: microsToTs(start + i * 1e6),
      thread_ts: parent.ts,
    });
  return parent;
}

async function ask(sim: SlackSim, threadTs: string, text: string, answers: number) {
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: threadTs,
    text: `<@${sim.botUserId}> ${text}`,
  });
  return waitForReplies(sim, 'C0GENERAL', threadTs, answers, 20_000);
}

test('the simulated Slack of a distributed app: one history call a minute per workspace, 15 messages', async (t) => {
  const sim = await SlackSim.start({ historyLimited: true });
  t.after(() => sim.close());
  const parent = seedThread(sim, 40);
  const client = new WebClient(sim.botToken, {
    slackApiUrl: sim.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  const first = await client.conversations.replies({
    channel: 'C0GENERAL',
    ts: parent.ts as string,
    limit: 200,
  });
  assert.equal(first.messages?.length, 15, 'at most 15 messages, whatever the limit asked');
  assert.equal(first.has_more, true);
  await assert.rejects(
    client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts as string }),
    /ratelimited|rate limit/i,
  );
  const history = await client.conversations.history({ channel: 'C0GENERAL', limit: 200 });
  assert.ok((history.messages?.length ?? 0) <= 15, 'history: 15 at most, and a quota of its own');
  await assert.rejects(client.conversations.history({ channel: 'C0GENERAL' }), /ratelimited|rate limit/i);
});

test('a short thread is read whole in one call; the next question in it within the minute uses what was kept', async (t) => {
  const { sim, claude } = await limitedRig(t);
  const parent = seedThread(sim, 3);
  const [first] = await ask(sim, parent.ts, 'QUESTION-ONE: what is the plan?', 1);
  assert.equal(sim.callsTo('conversations.replies').length, 1);
  assert.ok((Number(sim.callsTo('conversations.replies')[0]?.args.limit) || 0) <= 15, 'asks for 15 at most');
  const one = requestText(claude.requests[0]?.body ?? {});
  for (const s of ['PARENT', 'reply-1', 'reply-3', 'QUESTION-ONE']) assert.match(one, new RegExp(s));
  assert.doesNotMatch(visibleText(first!), NOTE, 'the whole thread was read: no note');

  await ask(sim, parent.ts, 'QUESTION-TWO: and the date?', 2);
  assert.equal(sim.callsTo('conversations.replies').length, 1, 'no second call within the minute');
  assert.equal(sim.rateLimited().length, 0, 'Slack never said ratelimited');
  const two = requestText(claude.requests[1]?.body ?? {});
  for (const s of ['PARENT', 'reply-1', 'reply-3', 'QUESTION-TWO'])
    assert.match(two, new RegExp(s), `kept: ${s}`);
  const second = botReplies(sim, 'C0GENERAL', parent.ts).at(-1);
  assert.match(visibleText(second!), NOTE, 'the person is told the thread may be read only in part');
});

test('a long thread: one call of 15 messages, the answer says it could not read the whole thread', async (t) => {
  const { sim, claude } = await limitedRig(t);
  const parent = seedThread(sim, 40);
  const [answer] = await ask(sim, parent.ts, 'QUESTION-LONG: sum it up', 1);
  assert.equal(sim.callsTo('conversations.replies').length, 1);
  assert.equal(sim.rateLimited().length, 0);
  const sent = requestText(claude.requests[0]?.body ?? {});
  assert.match(sent, /PARENT/);
  assert.match(sent, /QUESTION-LONG/, 'the question itself, from the event');
  const notes = visibleText(answer!)
    .split('\n')
    .filter((l) => NOTE.test(l));
  assert.equal(notes.length, 1, 'one line says so');
});

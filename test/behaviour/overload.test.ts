import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimMessage } from '../../sandbox/slack/sim.js';
import { heldClaude } from '../support/held-claude.js';
import { requestText, startRig } from '../support/rig.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

test('questions beyond the running ones wait their turn: told their place, read only when their turn comes (an edit made meanwhile counts)', async (t) => {
  // One Claude call at a time: two answers are let past the door, the rest wait there.
  const { sim, claude } = await startRig(t, { env: { CLAUDE_MAX_CONCURRENT: '1' } });
  const held = heldClaude(claude, () => ({ text: 'Here is my answer.' }));
  const ask = (n: number) =>
    sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${n}` });
  const readsOf = (ts: string) => sim.callsTo('conversations.replies').filter((c) => c.args.ts === ts).length;

  const first = await ask(1);
  const second = await ask(2);
  await claude.waitForRequests(1);
  const status = (ts: string) =>
    sim
      .statuses()
      .filter((s) => s.thread_ts === ts)
      .at(-1)?.status;
  // "is thinking…" comes with a question's turn.
  const thinking = (ts: string) =>
    sim.statuses().some((s) => s.thread_ts === ts && s.status === 'is thinking…');
  await sim.waitFor(() => thinking(second.message.ts) || undefined, { what: 'the second past the door' });
  const third = await ask(3);
  const fourth = await ask(4);
  await sim.waitFor(() => /is queued, next in line/.test(status(third.message.ts) ?? '') || undefined, {
    what: 'the third told it is next',
  });
  await sim.waitFor(() => /is queued \(1 ahead of you\)/.test(status(fourth.message.ts) ?? '') || undefined, {
    what: 'the fourth told one is ahead',
  });
  assert.equal(readsOf(third.message.ts), 0, 'a waiting question costs no history read');
  assert.equal(readsOf(fourth.message.ts), 0);

  // While the third waits, its author corrects it: the answer is to the question as it stands.
  await sim.editMessage(
    'C0GENERAL',
    third.message.ts,
    `<@${sim.botUserId}> question 3, in three lines please`,
  );
  held.release();
  for (const q of [first, second, third, fourth]) await waitForReplies(sim, 'C0GENERAL', q.message.ts);
  const asked = claude.requests.map((r) => requestText(r.body));
  assert.equal(asked.length, 4, 'one Claude call per question');
  // A question that starts a thread and did not wait is read from its event; one that waited
  // is read again when its turn comes.
  assert.deepEqual(
    [first, second, third, fourth].map((q) => readsOf(q.message.ts)),
    [0, 0, 1, 1],
  );
  assert.ok(
    asked.some((text) => text.includes('question 3, in three lines please')),
    'the third question was asked as edited while it waited',
  );
  // Once its turn came, the status said so.
  const thirdStatuses = sim
    .statuses()
    .filter((s) => s.thread_ts === third.message.ts)
    .map((s) => s.status);
  assert.deepEqual(thirdStatuses.slice(0, 2), ['is queued, next in line…', 'is thinking…']);
  for (const q of [first, second, third, fourth]) {
    assert.match(
      visibleText(botReplies(sim, 'C0GENERAL', q.message.ts)[0] ?? q.message),
      /Here is my answer/,
    );
  }
});

test('when the waiting line is full, a new question is told the bot is busy, at once, and costs nothing', async (t) => {
  const { sim, claude } = await startRig(t, { env: { CLAUDE_MAX_CONCURRENT: '1', CLAUDE_MAX_QUEUED: '1' } });
  const held = heldClaude(claude, () => ({ text: 'Here is my answer.' }));
  const ask = (n: number) =>
    sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${n}` });
  // Two past the door, one waiting: the line is full.
  const asked = [await ask(1), await ask(2), await ask(3)];
  await claude.waitForRequests(1);
  await sim.waitFor(
    () =>
      sim.statuses().some((s) => s.thread_ts === asked[2]?.message.ts && /next in line/.test(s.status)) ||
      undefined,
    { what: 'the third waiting' },
  );
  const fourth = await ask(4);
  const [reply] = await waitForReplies(sim, 'C0GENERAL', fourth.message.ts);
  assert.match(visibleText(reply ?? fourth.message), /busy with other questions/);
  assert.equal(sim.callsTo('conversations.replies').filter((c) => c.args.ts === fourth.message.ts).length, 0);
  held.release();
  for (const q of asked) await waitForReplies(sim, 'C0GENERAL', q.message.ts);
  assert.equal(claude.requests.length, 3);
});

test('questions waiting their turn do not slow the answer being written: it streams at its own pace', async (t) => {
  // One append a second per stream when one answer is writing.
  const { sim, claude } = await startRig(t, {
    env: { CLAUDE_MAX_CONCURRENT: '1', STREAM_APPENDS_PER_MINUTE: '60' },
  });
  // The first answer takes about 4 s to write; the others are quick.
  claude.enqueue(
    { text: 'word '.repeat(60), chunkSize: 20, chunkDelayMs: 300 },
    ...Array.from({ length: 5 }, () => ({ text: 'Short answer.' })),
  );
  const ask = (n: number) =>
    sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${n}` });
  const first = await ask(1);
  await claude.waitForRequests(1);
  const waiting = [];
  for (let n = 2; n <= 6; n++) waiting.push(await ask(n));
  await waitForReplies(sim, 'C0GENERAL', first.message.ts);
  const stopped = sim.callsTo('chat.stopStream')[0]?.at ?? 0;
  const appends = sim.callsTo('chat.appendStream').filter((c) => c.at < stopped).length;
  // Five waiting questions counted as streams would space appends 6 s apart: one, then the rest at the end.
  assert.ok(appends >= 3, `the answer was written in ${appends} appends while others waited`);
  for (const q of waiting) await waitForReplies(sim, 'C0GENERAL', q.message.ts);
});

test('an answer still being written to Slack does not hold up the next questions: its turn ends when Claude is done', async (t) => {
  // One Claude call at a time (two answers past the door); Slack takes 2 s to finish each message.
  const { sim, claude } = await startRig(t, { env: { CLAUDE_MAX_CONCURRENT: '1' } });
  claude.setResponder(() => ({ text: 'word '.repeat(40), chunkSize: 10 }));
  sim.failNext('chat.stopStream', { delayMs: 2000, times: 4 });
  const asked = [];
  for (let n = 1; n <= 4; n++) {
    asked.push(
      await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${n}` }),
    );
  }
  const [firstAsked] = await claude.waitForRequests(4);
  // The question Claude answered first (the two past the door race for the one Claude slot).
  const n = Number(/question (\d)/.exec(requestText(firstAsked?.body ?? {}))?.[1]);
  const firstTs = asked[n - 1]?.message.ts ?? '';
  assert.ok(
    botReplies(sim, 'C0GENERAL', firstTs).every((m) => m.streaming),
    'all four went to Claude while the first answer was still being written',
  );
  for (const q of asked) await waitForReplies(sim, 'C0GENERAL', q.message.ts);
  const [written] = botReplies(sim, 'C0GENERAL', firstTs);
  assert.equal(visibleText(written as SimMessage).trim(), 'word '.repeat(40).trim());
});

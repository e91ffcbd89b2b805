import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimMessage } from '../../sandbox/slack/sim.js';
import { requestText, startRig } from '../support/rig.js';
import { seedThread } from '../support/seed.js';
import { botReplies, mention, visibleText, waitForReplies } from '../support/visible.js';

test('a top-level mention is answered in its own thread, streamed, after a thinking status', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({
    text: 'Rust is a **systems** language.\n\n- safe\n- fast',
    chunkSize: 8,
    chunkDelayMs: 5,
  });
  const message = await mention(sim, 'what is Rust?');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.ok(reply);
  assert.equal(reply.thread_ts, message.ts, 'the answer is in the thread of the mention');
  assert.equal(visibleText(reply), 'Rust is a **systems** language.\n\n- safe\n- fast');
  assert.equal(claude.requests.length, 1);
  assert.ok(sim.callsTo('chat.startStream').length === 1, 'answer streamed with chat.startStream');
  assert.equal(sim.callsTo('chat.stopStream').length, 1);
  assert.equal(sim.callsTo('conversations.replies').length, 0, 'the mention is the whole thread: no read');
  const status = sim.statuses().find((s) => s.thread_ts === message.ts);
  assert.equal(status?.status, 'is thinking…');
  const loading = sim.callsTo('assistant.threads.setStatus')[0]?.args.loading_messages;
  assert.match(JSON.stringify(loading), /Thinking it over…/, 'loading messages rotate under the status');
  // The question reached Claude without the bot's own mention markup.
  const sent = requestText(claude.requests[0]?.body ?? {});
  assert.match(sent, /what is Rust\?/);
  assert.doesNotMatch(sent, new RegExp(`<@${sim.botUserId}>`));
});

test('Claude is asked while the thinking status is on its way; the answer is written only after it', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Quick answer.' });
  // Slack takes a second to answer the status call.
  sim.failNext('assistant.threads.setStatus', { delayMs: 1000 });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply as SimMessage), 'Quick answer.');
  const status = sim.callsTo('assistant.threads.setStatus')[0];
  const asked = claude.requests[0];
  const started = sim.callsTo('chat.startStream')[0];
  assert.ok(status && asked && started);
  assert.ok(asked.at < status.at + 1000, 'Claude was asked before Slack answered the status call');
  assert.ok(started.at >= status.at + 1000, 'the answer was written after the status call was done');
  assert.deepEqual(
    sim
      .statuses()
      .filter((s) => s.thread_ts === message.ts)
      .map((s) => s.status),
    ['is thinking…', ''],
    'the status was set, then cleared by the answer',
  );
});

test('a mention inside a thread sends the whole thread, with names, and the bot’s earlier answers as assistant turns', async (t) => {
  const { sim, claude } = await startRig(t);
  const parent = seedThread(
    sim,
    'C0GENERAL',
    { user: 'U0BOB', text: 'Should we move the API to Go?' },
    { user: 'U0CARLA', text: 'I prefer Rust, honestly.' },
    { user: sim.botUserId, text: 'Both are fine choices for an API.', bot_id: 'B0BOT' },
  );
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> which one has the better hiring market?`,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 2);
  const body = claude.requests[0]?.body;
  assert.ok(body);
  const roles = (body.messages as Array<{ role: string }>).map((m) => m.role);
  assert.deepEqual(roles, ['user', 'assistant', 'user']);
  const sent = requestText(body);
  for (const s of ['Should we move the API to Go?', 'I prefer Rust', 'hiring market'])
    assert.ok(sent.includes(s), s);
  const names = sim
    .users()
    .filter((u) => ['U0BOB', 'U0CARLA', 'U0ALICE'].includes(u.id))
    .map((u) => u.display_name || u.real_name);
  for (const n of names) assert.ok(sent.includes(n), `author name ${n} sent`);
  assert.match(JSON.stringify(body.messages[1]), /Both are fine choices/);
  const reply = botReplies(sim, 'C0GENERAL', parent.ts).at(-1);
  assert.equal(reply?.thread_ts, parent.ts);
  assert.notEqual(reply?.ts, message.ts);
});

test('a DM is answered in the thread of the message, with recent DM history as context', async (t) => {
  const { sim, claude } = await startRig(t);
  sim.seedMessage({ channel: 'D0ALICE', user: 'U0ALICE', text: 'My favourite colour is teal.' });
  claude.enqueue({ text: 'Teal it is.' });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'D0ALICE',
    text: 'What is my favourite colour?',
  });
  const [reply] = await waitForReplies(sim, 'D0ALICE', message.ts);
  assert.equal(reply?.thread_ts, message.ts);
  assert.equal(visibleText(reply!), 'Teal it is.');
  assert.match(requestText(claude.requests[0]?.body ?? {}), /favourite colour is teal/);
});

test('a reply in a DM thread is answered in that thread with the thread as memory', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Noted: you like tea.' }, { text: 'You like tea.' });
  const first = await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', text: 'Remember that I like tea.' });
  await waitForReplies(sim, 'D0ALICE', first.message.ts);
  await sim.post({
    user: 'U0ALICE',
    channel: 'D0ALICE',
    text: 'What do I like?',
    thread_ts: first.message.ts,
  });
  const replies = await waitForReplies(sim, 'D0ALICE', first.message.ts, 2);
  assert.equal(visibleText(replies[1]!), 'You like tea.');
  const second = claude.requests[1]?.body;
  assert.deepEqual(
    ((second?.messages ?? []) as Array<{ role: string }>).map((m) => m.role),
    ['user', 'assistant', 'user'],
  );
  assert.match(requestText(second ?? {}), /Noted: you like tea/);
});

test('without chat streaming the answer is posted and edited, and reads the same', async (t) => {
  const { sim, claude } = await startRig(t);
  sim.disableMethod('chat.startStream');
  claude.enqueue({
    text: 'Fallback answer with `code` and a [link](https://example.com).',
    chunkSize: 5,
    chunkDelayMs: 2,
  });
  const message = await mention(sim, 'hi');
  const expected = 'Fallback answer with `code` and a [link](https://example.com).';
  const reply = await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', message.ts).find((m) => visibleText(m) === expected),
    { what: 'the complete fallback answer' },
  );
  assert.match(reply!.text, /<https:\/\/example\.com\|link>/, 'the notification text is Slack mrkdwn');
  assert.equal(sim.callsTo('chat.postMessage').filter((c) => c.ok).length, 1);
  assert.equal(botReplies(sim, 'C0GENERAL', message.ts).length, 1, 'one message, edited in place');
});

test('a link Claude writes is posted without unfurls: Slack fetches nothing', async (t) => {
  const { sim, claude } = await startRig(t);
  sim.disableMethod('chat.startStream');
  claude.enqueue({ text: 'See https://example.com/page?q=conversation-text for more.', chunkSize: 1000 });
  const message = await mention(sim, 'hi');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.deepEqual(sim.unfurls(), []);
});

test('UNFURL_LINKS=true lets Slack unfurl the links of posted answers', async (t) => {
  const { sim, claude } = await startRig(t, { env: { UNFURL_LINKS: 'true' } });
  sim.disableMethod('chat.startStream');
  claude.enqueue({ text: 'See https://example.com/page for more.', chunkSize: 1000 });
  const message = await mention(sim, 'hi');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.ok(sim.unfurls().includes('https://example.com/page'), sim.unfurls().join(' '));
});

test('the last text of an answer goes with chat.stopStream, without another append', async (t) => {
  const { sim, claude } = await startRig(t);
  // Three pieces within a second: appends are paced a second apart, so only the first is written
  // before Claude is done.
  claude.enqueue({ text: 'First part. Second part. Third part.', chunkSize: 12, chunkDelayMs: 100 });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply as SimMessage), 'First part. Second part. Third part.');
  assert.deepEqual(
    sim.calls.filter((c) => c.method.startsWith('chat.')).map((c) => c.method),
    ['chat.startStream', 'chat.stopStream'],
  );
  assert.equal(sim.callsTo('chat.stopStream')[0]?.args.markdown_text, 'Second part. Third part.');
});

test('a stream Slack ended before the last text: the rest continues in a new message', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Before the cut. After the cut.', chunkSize: 16, chunkDelayMs: 400 });
  const message = await mention(sim, 'hi');
  const [first] = await sim.waitFor(() => {
    const r = botReplies(sim, 'C0GENERAL', message.ts);
    return r.length ? r : undefined;
  });
  sim.endStream('C0GENERAL', (first as SimMessage).ts);
  const replies = await waitForReplies(sim, 'C0GENERAL', message.ts, 2);
  assert.deepEqual(
    replies.map((r) => visibleText(r)),
    ['Before the cut. ', 'After the cut.'],
  );
});

test('a long answer continues in follow-up messages without losing text', async (t) => {
  const { sim, claude } = await startRig(t);
  const paragraphs = Array.from(
    { length: 300 },
    (_, i) => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(4)}`,
  );
  const text = paragraphs.join('\n\n');
  assert.ok(text.length > 30_000);
  claude.enqueue({ text, chunkSize: 2000 });
  const message = await mention(sim, 'write a lot');
  await sim.waitFor(
    () => {
      const all = botReplies(sim, 'C0GENERAL', message.ts);
      return (
        all.length >= 3 &&
        all.every((m) => !m.streaming) &&
        all.map(visibleText).join('').includes('Paragraph 299')
      );
    },
    { what: 'the whole long answer', timeoutMs: 15_000 },
  );
  const parts = botReplies(sim, 'C0GENERAL', message.ts).map(visibleText);
  for (const p of parts) assert.ok(p.length <= 12_000, `part of ${p.length} chars fits Slack's limit`);
  const seen = parts.join('\n');
  for (let i = 0; i < 300; i++) assert.ok(seen.includes(`Paragraph ${i}:`), `paragraph ${i} present`);
  assert.equal(seen.replace(/\s+/g, ''), text.replace(/\s+/g, ''), 'no text lost or repeated');
});

test('model output cannot ping the whole channel', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({
    text: 'Sure! <!channel> <!here> @everyone <!subteam^S123|@devs> look at this',
    chunkSize: 3,
  });
  const message = await mention(sim, 'ping everyone');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  const seen = visibleText(reply!);
  assert.doesNotMatch(seen, /<!channel>|<!here>|<!subteam|(^|\s)@everyone\b/);
  assert.match(seen, /look at this/);
});

test('un-mentioned thread follow-ups are answered only when enabled and only where the bot already answered', async (t) => {
  const on = await startRig(t, { env: { ANSWER_THREAD_FOLLOWUPS: 'true' } });
  const message = await mention(on.sim, 'first');
  await waitForReplies(on.sim, 'C0GENERAL', message.ts);
  // A thread the bot never answered in: ignored.
  const other = on.sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'unrelated' });
  await on.sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    thread_ts: other.ts,
    text: 'chatting among ourselves',
  });
  await on.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: message.ts,
    text: 'and a follow-up',
  });
  await waitForReplies(on.sim, 'C0GENERAL', message.ts, 2);
  assert.equal(on.claude.requests.length, 2);

  const off = await startRig(t);
  const m2 = await off.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${off.sim.botUserId}> first`,
  });
  await waitForReplies(off.sim, 'C0GENERAL', m2.message.ts);
  await off.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: m2.message.ts,
    text: 'not for you',
  });
  await off.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: m2.message.ts,
    text: `<@${off.sim.botUserId}> now for you`,
  });
  await waitForReplies(off.sim, 'C0GENERAL', m2.message.ts, 2);
  assert.equal(off.claude.requests.length, 2, 'the un-mentioned follow-up caused no Claude call');
});

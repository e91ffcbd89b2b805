import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startChild } from '../support/child.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { botEnv, requestText, startFakes, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

const mentionEvent = (ts: string, text: string) => ({
  type: 'app_mention',
  channel: 'C0GENERAL',
  user: 'U0ALICE',
  text,
  ts,
  event_ts: ts,
});

test('an event replayed 4 times, also while the first is still answering, gets exactly one answer', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'One answer, slowly.', chunkSize: 2, chunkDelayMs: 30 });
  const m = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: `<@${sim.botUserId}> hi` });
  const event = mentionEvent(m.ts, m.text);
  await sim.deliver(event, { eventId: 'Ev0REPLAY' });
  await claude.waitForRequests(1);
  for (let n = 1; n <= 3; n++)
    await sim.deliver(event, { eventId: 'Ev0REPLAY', retryNum: n, retryReason: 'http_timeout' });
  await waitForReplies(sim, 'C0GENERAL', m.ts);
  await sim.deliver(event, { eventId: 'Ev0REPLAY', retryNum: 3, retryReason: 'http_timeout' });
  const other = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `<@${sim.botUserId}> later` });
  await waitForReplies(sim, 'C0GENERAL', other.message.ts);
  assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
  assert.equal(claude.requests.length, 2);
});

test('two replicas on one Redis receiving the same event answer it once', async (t) => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() };
  const a = await startRig(t, { env });
  const b = await startRig(t, { env, sim: a.sim });
  a.claude.enqueue({ text: 'From one replica.', chunkSize: 2, chunkDelayMs: 20 });
  b.claude.enqueue({ text: 'From the other replica.' });
  const sim = a.sim;
  const m = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: `<@${sim.botUserId}> once please`,
  });
  const event = mentionEvent(m.ts, m.text);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${a.port}/slack/events` });
  await sim.deliver(event, { eventId: 'Ev0TWO' });
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${b.port}/slack/events` });
  await sim.deliver(event, { eventId: 'Ev0TWO', retryNum: 1, retryReason: 'http_timeout' });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', m.ts);
  // The second replica saw the event and dropped it.
  await sim.waitFor(() => b.logs.some((l) => l.includes('duplicate event dropped')), {
    what: 'replica B drops it',
  });
  assert.equal(visibleText(reply!), 'From one replica.');
  assert.equal(a.claude.requests.length + b.claude.requests.length, 1);
  assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
});

test('30% injected Claude errors over 100 questions: every person gets an answer or a clear message', async (t) => {
  // A hundred questions at once: Slack's tiers would hold many reads and writes for a minute
  // (stream-quota.test.ts tests that); here only Claude's faults matter.
  const { sim, claude } = await startRig(t, {
    env: { CLAUDE_REQUESTS_PER_MINUTE: '6000', CLAUDE_MAX_CONCURRENT: '10', CACHE_TTL_SECONDS: '0' },
    noRateTiers: true,
  });
  let n = 0;
  const faults = [{ status: 500 }, { status: 529 }, { text: 'partial answer text', breakAfterChars: 8 }];
  claude.setResponder(() => {
    n++;
    return n % 10 < 3 ? (faults[n % 3] as object) : { text: `Answer ${n}.` };
  });
  // Ten channels: Slack takes about one message a second in a channel, so a hundred answers in one
  // would take minutes to show whatever the bot does.
  const channels = Array.from({ length: 10 }, (_, k) =>
    sim.addConversation({
      id: `C0BUSY${k}`,
      name: `busy-${k}`,
      members: ['U0ALICE', 'U0BOB', sim.botUserId],
    }),
  );
  const posts = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      sim.post({
        user: i % 2 ? 'U0ALICE' : 'U0BOB',
        channel: channels[i % 10]?.id as string,
        text: `<@${sim.botUserId}> question ${i}`,
      }),
    ),
  );
  let answered = 0;
  let explained = 0;
  for (const p of posts) {
    const replies = await sim.waitFor(
      () => {
        const r = botReplies(sim, p.message.channel, p.message.ts).filter((m) => !m.streaming);
        const text = r.map(visibleText).join('\n');
        return /Answer \d+\.|Reference:/.test(text) ? text : undefined;
      },
      { what: `a reply to ${p.message.text}`, timeoutMs: 30_000 },
    );
    if (/Reference:/.test(replies)) explained++;
    else answered++;
  }
  t.diagnostic(
    `${answered} answered, ${explained} told what went wrong, ${claude.requests.length} Claude requests`,
  );
  assert.equal(answered + explained, 100, 'no silent drop');
  assert.ok(answered >= 60, `most questions answered (${answered})`);
});

test('SIGTERM mid-stream: the answer ends with a note, queued questions are told, the process exits 0 within the grace period', async (t) => {
  const { sim, claude } = await startFakes(t);
  claude.setResponder(() => ({ text: 'A long, slow answer. '.repeat(40), chunkSize: 10, chunkDelayMs: 100 }));
  const bot = startChild(t, 'src/main.ts', {
    ...botEnv(sim, claude),
    SHUTDOWN_GRACE_MS: '1000',
    CLAUDE_MAX_CONCURRENT: '1',
  });
  const port = await bot.ready;
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  const story = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> tell me a story`,
  });
  const other = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `<@${sim.botUserId}> and me?` });
  // One Claude call at a time: whichever question reaches Claude first runs, the other waits.
  const [first] = await claude.waitForRequests(1);
  const storyFirst = requestText(first?.body ?? {}).includes('tell me a story');
  const [running, queued] = storyFirst ? [story, other] : [other, story];
  await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', running.message.ts).some((m) => visibleText(m).length > 0),
    {
      what: 'the first streamed text',
    },
  );
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0, bot.output());
  // The grace period ended the answer, not its end: Claude's stream was still running when cut.
  await until('the Claude call cut before its end', () => claude.requests[0]?.closedByClient === true);
  const answer = botReplies(sim, 'C0GENERAL', running.message.ts);
  assert.ok(
    answer.every((m) => !m.streaming),
    'no stream left open',
  );
  const storyText = answer.map(visibleText).join('\n');
  assert.match(storyText, /A long, slow answer/);
  assert.match(storyText, /interrupted/);
  assert.match(storyText, /restarting.*ask again/);
  assert.match(
    botReplies(sim, 'C0GENERAL', queued.message.ts).map(visibleText).join('\n'),
    /restarting.*ask again/,
  );
  assert.equal(claude.requests.length, 1, 'the queued question never reached Claude');
});

/**
 * Follow-ups without a mention (profile `follow_threads`): in a thread the bot answered, a later
 * reply by a person is answered; one that mentions someone else, one from another bot, and any
 * after "@bot stop" in the thread are not. Off by default.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { type Rig, startRig } from '../support/rig.js';
import { botReplies, mention, visibleText, waitForReplies } from '../support/visible.js';

const PROFILES = `
profiles:
  - name: chatty
    channels: [C0GENERAL]
    follow_threads: true
  - name: quiet
    channels: [G0PRIVATE]
    follow_threads: false
`;

async function rig(t: Parameters<typeof startRig>[0], env: Record<string, string> = {}): Promise<Rig> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'follow-')), 'profiles.yml');
  writeFileSync(file, PROFILES);
  return startRig(t, { env: { CLAUDE_PROFILES_FILE: file, ...env } });
}

/** The latest person's words Claude was asked to answer. */
const lastAsked = (r: Rig) => JSON.stringify(r.claude.requests.at(-1)?.body.messages ?? []);

test('follow_threads: replies in an answered thread are answered without a mention, except for someone else, from a bot, or after “stop”', async (t) => {
  // Other apps' mentions are answered here (ALLOW_BOT_MESSAGES), their un-mentioned replies never.
  const r = await rig(t, { ALLOW_BOT_MESSAGES: 'true' });
  const { sim, claude } = r;
  const parent = await mention(sim, 'what is our deploy window?');
  await waitForReplies(sim, 'C0GENERAL', parent.ts);
  const reply = (user: string, text: string) =>
    sim.post({ user, channel: 'C0GENERAL', thread_ts: parent.ts, text });

  // A person's reply, no mention: answered.
  await reply('U0BOB', 'and on Fridays?');
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 2);
  assert.equal(claude.requests.length, 2);
  assert.match(lastAsked(r), /and on Fridays\?/);

  // Addressed to someone else: not answered. Another app's message: not answered (no loops).
  await reply('U0BOB', '<@U0CARLA> can you check the calendar?');
  await reply('U0BOB', 'cc <!subteam^S0OPS|@ops>');
  await sim.deliver({
    type: 'message',
    subtype: 'bot_message',
    bot_id: 'B0OTHER',
    username: 'deploybot',
    text: 'Deploy window: 10:00-16:00',
    ts: sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'x', thread_ts: parent.ts }).ts,
    thread_ts: parent.ts,
    channel: 'C0GENERAL',
    channel_type: 'channel',
  });
  await sim.deliver({
    type: 'message',
    user: 'U0OTHERBOT',
    bot_id: 'B0OTHER',
    text: 'I am a bot posting as a user',
    ts: sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'y', thread_ts: parent.ts }).ts,
    thread_ts: parent.ts,
    channel: 'C0GENERAL',
    channel_type: 'channel',
  });
  await reply('U0CARLA', 'thanks, that settles it');
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 3);
  assert.equal(claude.requests.length, 3, 'only the plain reply was answered');
  assert.match(lastAsked(r), /that settles it/);

  // "@bot stop": confirmed, and later replies in the thread are not answered; a mention still is.
  await reply('U0ALICE', `<@${sim.botUserId}> stop`);
  const stopped = await waitForReplies(sim, 'C0GENERAL', parent.ts, 4);
  assert.match(visibleText(stopped[3]!), /stop answering replies in this thread/);
  assert.equal(claude.requests.length, 3, '“stop” is no question');
  await reply('U0BOB', 'one more thing');
  await reply('U0BOB', `<@${sim.botUserId}> one more, for you`);
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 5);
  assert.equal(claude.requests.length, 4, 'after “stop” only the mention was answered');
  assert.match(lastAsked(r), /one more, for you/);
  assert.equal(botReplies(sim, 'C0GENERAL', parent.ts).length, 5);
});

test('follow_threads is off by default, ANSWER_THREAD_FOLLOWUPS is its default, and a profile’s false wins', async (t) => {
  const r = await rig(t, { ANSWER_THREAD_FOLLOWUPS: 'true' });
  const { sim, claude } = r;
  // G0PRIVATE's profile says false, whatever the setting says.
  const parent = await mention(sim, 'hello', { channel: 'G0PRIVATE' });
  await waitForReplies(sim, 'G0PRIVATE', parent.ts);
  await sim.post({ user: 'U0BOB', channel: 'G0PRIVATE', thread_ts: parent.ts, text: 'not for the bot' });
  await mention(sim, 'this one is', { user: 'U0BOB', channel: 'G0PRIVATE', thread_ts: parent.ts });
  await waitForReplies(sim, 'G0PRIVATE', parent.ts, 2);
  assert.equal(claude.requests.length, 2, 'the un-mentioned reply was not answered');
  // "stop" where the bot does not follow: said so, no question.
  await mention(sim, 'stop', { user: 'U0BOB', channel: 'G0PRIVATE', thread_ts: parent.ts });
  const said = await waitForReplies(sim, 'G0PRIVATE', parent.ts, 3);
  assert.match(visibleText(said[2]!), /only when mentioned: there is nothing to stop/);
  assert.equal(claude.requests.length, 2);

  // A channel no profile names takes ANSWER_THREAD_FOLLOWUPS=true as its default.
  sim.addConversation({ id: 'C0OPEN', name: 'open', members: ['U0ALICE', 'U0BOB', sim.botUserId] });
  const { message: open } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0OPEN',
    text: `<@${sim.botUserId}> hi`,
  });
  await waitForReplies(sim, 'C0OPEN', open.ts);
  await sim.post({ user: 'U0BOB', channel: 'C0OPEN', thread_ts: open.ts, text: 'and a follow-up' });
  await waitForReplies(sim, 'C0OPEN', open.ts, 2);
  assert.equal(claude.requests.length, 4);
});

test('“stop” in a thread outlasts a restart with Redis', async (t) => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix(), ANSWER_THREAD_FOLLOWUPS: 'true' };
  const first = await startRig(t, { env });
  const { sim } = first;
  const { message: parent } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hi`,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts);
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> stop`,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 2);
  await first.bot.stop();
  const second = await startRig(t, { env, sim });
  await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', thread_ts: parent.ts, text: 'still there?' });
  await sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> now?`,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 3);
  assert.equal(second.claude.requests.length, 1, 'after the restart only the mention was answered');
  assert.match(lastAsked(second), /now\?/);
});

test('“@bot stop” in a thread also stops the person’s answer being written there', async (t) => {
  const r = await startRig(t, { env: { ANSWER_THREAD_FOLLOWUPS: 'true' } });
  const { sim, claude } = r;
  const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  claude.enqueue({ text: long, chunkSize: 6, chunkDelayMs: 30 });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> go on`,
  });
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', message.ts).find((m) => m.streaming), {
    what: 'the answer streaming',
  });
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: message.ts,
    text: `<@${sim.botUserId}> stop`,
  });
  const replies = await sim.waitFor(
    () => {
      const all = botReplies(sim, 'C0GENERAL', message.ts);
      return all.some((m) => m.text.includes('(stopped)')) &&
        all.some((m) => /stop answering replies/.test(m.text))
        ? all
        : undefined;
    },
    { what: 'the answer stopped and the stop confirmed' },
  );
  const shown = replies.map((m) => m.text).join('');
  assert.ok(!shown.includes('word199'), 'the rest of the answer never came');
  assert.equal(claude.requests.length, 1, '“stop” is no question');
});

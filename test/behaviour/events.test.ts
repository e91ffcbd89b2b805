import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { botReplies, waitForReplies } from '../support/visible.js';

test('the bot ignores itself, other bots, edits, deletions and joins: no Claude call', async (t) => {
  const { sim, claude } = await startRig(t);
  const mention = `<@${sim.botUserId}>`;
  const base = { channel: 'C0GENERAL', channel_type: 'channel', event_ts: '1.1' };
  await sim.deliver({
    type: 'message',
    ...base,
    user: sim.botUserId,
    bot_id: 'B0BOT',
    text: `${mention} me`,
    ts: '1700000001.000100',
  });
  await sim.deliver({
    type: 'app_mention',
    ...base,
    user: 'U0OTHERBOT',
    bot_id: 'B0OTHER',
    text: `${mention} loop?`,
    ts: '1700000001.000200',
  });
  await sim.deliver({
    type: 'message',
    channel: 'D0ALICE',
    channel_type: 'im',
    subtype: 'bot_message',
    bot_id: 'B0OTHER',
    text: 'hi bot',
    ts: '1700000001.000300',
  });
  const seeded = sim.seedMessage({ channel: 'D0ALICE', user: 'U0ALICE', text: 'old text' });
  await sim.editMessage('D0ALICE', seeded.ts, 'new text');
  await sim.deleteMessage('D0ALICE', seeded.ts);
  await sim.joinChannel('U0BOB', 'C0GENERAL');
  await sim.deliver({
    type: 'message',
    channel: 'D0ALICE',
    channel_type: 'im',
    subtype: 'channel_topic',
    user: 'U0ALICE',
    text: 'topic',
    ts: '1700000001.000400',
  });
  // A real question afterwards: once it is answered, the events before it have been handled.
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `${mention} real question`,
  });
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 1, 'only the real question reached Claude');
});

test('a mention in a channel is answered once, though Slack sends both message and app_mention', async (t) => {
  const { sim, claude } = await startRig(t);
  const { message, deliveries } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> once`,
  });
  assert.equal(deliveries.length, 2);
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  const second = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `<@${sim.botUserId}> next` });
  await waitForReplies(sim, 'C0GENERAL', second.message.ts);
  assert.equal(claude.requests.length, 2);
  assert.equal(botReplies(sim, 'C0GENERAL', message.ts).length, 1);
});

test('a redelivered event (Slack retry) is not answered twice', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Only once.', chunkDelayMs: 20, chunkSize: 3 });
  const parent = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: `<@${sim.botUserId}> retry me`,
  });
  const event = {
    type: 'app_mention',
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: parent.text,
    ts: parent.ts,
    event_ts: parent.ts,
  };
  const first = await sim.deliver(event, { eventId: 'Ev0RETRY1' });
  assert.equal(first.status, 200);
  const retry = await sim.deliver(event, { eventId: 'Ev0RETRY1', retryNum: 1, retryReason: 'http_timeout' });
  assert.equal(retry.status, 200, 'the retry is acknowledged');
  await waitForReplies(sim, 'C0GENERAL', parent.ts);
  const late = await sim.deliver(event, { eventId: 'Ev0RETRY1', retryNum: 2, retryReason: 'http_timeout' });
  assert.equal(late.status, 200);
  // A later, different question proves the retries were handled before it.
  const { message } = await sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> other`,
  });
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 2);
  assert.equal(botReplies(sim, 'C0GENERAL', parent.ts).length, 1);
});

test('opening the Messages tab greets once, with suggested prompts', async (t) => {
  const { sim } = await startRig(t);
  await sim.openAppHome('U0BOB', 'messages');
  const dm = await sim.waitFor(
    () => sim.conversations().find((c) => c.is_im && c.user === 'U0BOB' && sim.messages(c.id).length > 0),
    { what: 'greeting in the DM' },
  );
  const [greeting] = sim.messages(dm.id);
  assert.match(greeting?.text ?? '', /Ask me anything/);
  await sim.waitFor(() => sim.suggestedPrompts().find((p) => p.channel === dm.id), {
    what: 'suggested prompts',
  });
  await sim.openAppHome('U0BOB', 'messages');
  await sim.openAppHome('U0BOB', 'home');
  // Another user's greeting proves the repeated opens were handled.
  await sim.openAppHome('U0CARLA', 'messages');
  await sim.waitFor(
    () => sim.conversations().find((c) => c.is_im && c.user === 'U0CARLA' && sim.messages(c.id).length > 0),
    { what: 'second greeting' },
  );
  assert.equal(sim.messages(dm.id).length, 1, 'not greeted again');
});

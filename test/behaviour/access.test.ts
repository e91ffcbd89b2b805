import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { botReplies, waitForReplies } from '../support/visible.js';

test('channel and user allow-lists: outside them one private note per message, no Claude call', async (t) => {
  const { sim, claude } = await startRig(t, {
    env: { ALLOWED_CHANNEL_IDS: 'C0GENERAL', ALLOWED_USER_IDS: 'U0ALICE,U0BOB' },
  });
  const mention = `<@${sim.botUserId}>`;
  // A channel not on the list: the note, privately, once even when Slack redelivers.
  const { message: off } = await sim.post({ user: 'U0ALICE', channel: 'G0PRIVATE', text: `${mention} hi` });
  const note = await sim.waitFor(() => sim.ephemerals({ channel: 'G0PRIVATE', user: 'U0ALICE' })[0], {
    what: 'note',
  });
  assert.equal(note.text, 'I’m not enabled in this channel.');
  await sim.deliver(
    { type: 'app_mention', channel: 'G0PRIVATE', user: 'U0ALICE', text: off.text, ts: off.ts },
    { retryNum: 1, retryReason: 'http_timeout' },
  );
  // A person not on the list, in an allowed channel.
  await sim.post({ user: 'U0CARLA', channel: 'C0GENERAL', text: `${mention} me too?` });
  const carla = await sim.waitFor(() => sim.ephemerals({ user: 'U0CARLA' })[0], { what: 'note for Carla' });
  assert.match(carla.text, /not enabled for you/);
  // DMs are not channels: ALLOWED_CHANNEL_IDS does not close Alice's DM.
  const { message: dm } = await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', text: 'in my DM' });
  await waitForReplies(sim, 'D0ALICE', dm.ts);
  const { message: ok } = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `${mention} allowed` });
  await waitForReplies(sim, 'C0GENERAL', ok.ts);
  assert.equal(claude.requests.length, 2, 'only the DM and the allowed question reached Claude');
  assert.equal(sim.ephemerals({ channel: 'G0PRIVATE' }).length, 1, 'one note despite the redelivery');
  assert.equal(botReplies(sim, 'G0PRIVATE', off.ts).length, 0, 'nothing public outside the list');
});

test('a workspace not on ALLOWED_TEAM_IDS gets the note; /summarize there too, privately', async (t) => {
  const { sim, claude } = await startRig(t, { env: { ALLOWED_TEAM_IDS: 'T0OTHER' } });
  await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> hello` });
  const note = await sim.waitFor(() => sim.ephemerals({ user: 'U0ALICE' })[0], { what: 'note' });
  assert.equal(note.text, 'I’m not enabled in this workspace.');
  await sim.slashCommand({ user: 'U0BOB', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const ack = sim.ephemerals({ user: 'U0BOB' }).at(-1);
  assert.equal(ack?.via, 'ack');
  assert.equal(ack?.text, 'I’m not enabled in this workspace.');
  assert.equal(claude.requests.length, 0);
});

test('EXCLUDE_EXTERNAL_CHANNELS: Slack Connect channels get the note (conversations.info cached)', async (t) => {
  const { sim, claude } = await startRig(t, { env: { EXCLUDE_EXTERNAL_CHANNELS: 'true' } });
  sim.addConversation({
    id: 'C0SHARED',
    name: 'with-acme',
    is_ext_shared: true,
    members: ['U0ALICE', sim.botUserId],
  });
  for (const text of ['first', 'second']) {
    await sim.post({ user: 'U0ALICE', channel: 'C0SHARED', text: `<@${sim.botUserId}> ${text}` });
  }
  await sim.waitFor(() => sim.ephemerals({ channel: 'C0SHARED' }).length === 2 || undefined, {
    what: 'two notes',
  });
  assert.match(sim.ephemerals({ channel: 'C0SHARED' })[0]?.text ?? '', /shared with other organizations/);
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> inside`,
  });
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 1);
  const infos = sim.callsTo('conversations.info').filter((c) => c.args.channel === 'C0SHARED');
  assert.equal(infos.length, 1, 'asked Slack once, then cached');
  // When Slack cannot say, the safe side: no answer, and a note that says why.
  sim.failNext('conversations.info', { error: 'fatal_error', times: 5 });
  sim.addConversation({ id: 'C0NEW', name: 'new', members: ['U0ALICE', sim.botUserId] });
  await sim.post({ user: 'U0ALICE', channel: 'C0NEW', text: `<@${sim.botUserId}> hm` });
  const unverified = await sim.waitFor(() => sim.ephemerals({ channel: 'C0NEW' })[0], {
    what: 'note',
    timeoutMs: 8000,
  });
  assert.match(unverified.text, /could not check/);
  assert.equal(claude.requests.length, 1);
});

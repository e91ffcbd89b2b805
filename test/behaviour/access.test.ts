import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startRig } from '../support/rig.js';
import { addSharedChannel } from '../support/seed.js';
import { botReplies, mention, waitForReplies } from '../support/visible.js';

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
  addSharedChannel(sim);
  for (const text of ['first', 'second']) {
    await sim.post({ user: 'U0ALICE', channel: 'C0SHARED', text: `<@${sim.botUserId}> ${text}` });
  }
  await sim.waitFor(() => sim.ephemerals({ channel: 'C0SHARED' }).length === 2 || undefined, {
    what: 'two notes',
  });
  assert.match(sim.ephemerals({ channel: 'C0SHARED' })[0]?.text ?? '', /shared with other organizations/);
  const message = await mention(sim, 'inside');
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
    timeoutMs: 15_000,
  });
  assert.match(unverified.text, /could not check/);
  assert.equal(claude.requests.length, 1);
});

/** The private summary of a /summarize (an ephemeral through response_url with a markdown block). */
function summaryFor(sim: SlackSim, user: string) {
  return sim.waitFor(
    () =>
      sim
        .ephemerals({ user })
        .find(
          (e) => e.via === 'response_url' && (e.blocks ?? []).some((b) => (b as Block).type === 'markdown'),
        ),
    { what: `summary for ${user}`, timeoutMs: 15_000 },
  );
}
type Block = { type?: string };

test('a guest summarizes a linked thread only in a conversation they are in; full members as before', async (t) => {
  const { sim, claude } = await startRig(t);
  const bot = sim.botUserId;
  // A single-channel guest in #general only; a multi-channel guest in #general, #team and 1,000
  // more channels, so their conversations take two pages of users.conversations.
  sim.addUser({ id: 'U0GUEST', name: 'gus', is_restricted: true, is_ultra_restricted: true });
  sim.addUser({ id: 'U0MIA', name: 'mia', is_restricted: true });
  const general = sim.conversations().find((c) => c.id === 'C0GENERAL');
  general?.members.push('U0GUEST', 'U0MIA');
  for (let i = 0; i < 1000; i++)
    sim.addConversation({ id: `C0MANY${i}`, name: `many-${i}`, members: ['U0MIA'] });
  sim.addConversation({ id: 'C0TEAM', name: 'team', members: ['U0ALICE', 'U0MIA', bot] });
  const parent = sim.seedMessage({ channel: 'C0TEAM', user: 'U0ALICE', text: 'Pricing for the launch?' });
  sim.seedMessage({ channel: 'C0TEAM', user: 'U0MIA', text: 'Tiered, decided.', thread_ts: parent.ts });
  const link = `${sim.team.url}archives/C0TEAM/p${parent.ts.replace('.', '')}`;
  const summarize = (user: string) =>
    sim.slashCommand({ user, channel: 'C0GENERAL', command: '/summarize', text: link });

  await summarize('U0GUEST');
  const refused = await sim.waitFor(
    () => sim.ephemerals({ user: 'U0GUEST' }).find((e) => /not a member of/.test(e.text)),
    { what: 'refusal for the guest' },
  );
  assert.equal(refused.via, 'response_url', 'privately, to the guest only');
  assert.equal(claude.requests.length, 0, 'nothing of #team reached Claude');
  assert.equal(sim.callsTo('conversations.replies').length, 0, 'nothing of #team was read');
  await summarize('U0GUEST');
  await sim.waitFor(
    () => sim.ephemerals({ user: 'U0GUEST' }).filter((e) => /not a member of/.test(e.text))[1],
    { what: 'second refusal' },
  );
  assert.equal(sim.callsTo('users.conversations').length, 1, 'the guest’s conversations are cached');

  await summarize('U0ALICE');
  assert.match(JSON.stringify((await summaryFor(sim, 'U0ALICE')).blocks), /Summary of a thread in #team/);
  assert.equal(sim.callsTo('users.conversations').length, 1, 'a full member costs no membership lookup');

  await summarize('U0MIA');
  assert.match(JSON.stringify((await summaryFor(sim, 'U0MIA')).blocks), /Summary of a thread in #team/);
  assert.equal(sim.callsTo('users.conversations').length, 3, 'Mia’s two pages');
  assert.equal(claude.requests.length, 1, 'Mia’s summary came from the cache of Alice’s');
  assert.equal(sim.callsTo('users.info').filter((c) => c.args.user === 'U0GUEST').length, 1);

  // When Slack cannot say which channels a guest is in: refused, saying why, still no Claude call.
  sim.addUser({ id: 'U0GIL', name: 'gil', is_ultra_restricted: true });
  sim.failNext('users.conversations', { error: 'fatal_error' });
  await summarize('U0GIL');
  await sim.waitFor(() => sim.ephemerals({ user: 'U0GIL' }).find((e) => /could not check/.test(e.text)), {
    what: 'could-not-check note',
  });
  assert.equal(claude.requests.length, 1);
});

test('shared channel: ALLOWED_TEAM_IDS checks the person’s own workspace, not only the sender', async (t) => {
  const { sim, claude } = await startRig(t, { env: { ALLOWED_TEAM_IDS: 'T0SIM' } });
  addSharedChannel(sim, { external: { id: 'U0EXT', name: 'eve', team: 'T0ACME' } });
  const mention = `<@${sim.botUserId}>`;
  const { deliveries, message: ext } = await sim.post({
    user: 'U0EXT',
    channel: 'C0SHARED',
    text: `${mention} hi`,
  });
  assert.equal(deliveries.length, 2, 'delivered: the event comes from an allowed workspace');
  const note = await sim.waitFor(() => sim.ephemerals({ user: 'U0EXT' })[0], { what: 'note' });
  assert.equal(note.text, 'I’m not enabled for people from your organization.');
  await sim.slashCommand({ user: 'U0EXT', channel: 'C0SHARED', command: '/summarize', text: '' });
  assert.equal(sim.ephemerals({ user: 'U0EXT' }).at(-1)?.text, note.text, '/summarize refused too');
  // The shortcut names the person's workspace in user.team_id.
  await sim.messageShortcut({
    user: 'U0EXT',
    channel: 'C0SHARED',
    messageTs: ext.ts,
    callbackId: 'summarize_thread',
  });
  await sim.waitFor(() => sim.ephemerals({ user: 'U0EXT' })[2], { what: 'shortcut note' });
  assert.equal(sim.ephemerals({ user: 'U0EXT' })[2]?.text, note.text);
  const { message } = await sim.post({ user: 'U0ALICE', channel: 'C0SHARED', text: `${mention} hello` });
  await waitForReplies(sim, 'C0SHARED', message.ts);
  assert.equal(claude.requests.length, 1, 'only the allowed person reached Claude');
  assert.equal(botReplies(sim, 'C0SHARED', message.ts).length > 0, true);
});

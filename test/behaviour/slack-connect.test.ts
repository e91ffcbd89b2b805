/**
 * People from another organization (Slack Connect) get only the conversation they ask in: no
 * summary of a channel they are not in, by a /summarize link or the thread shortcut, no link
 * followed into another conversation; they are told why once a day. An event without `user_team`
 * does not make its author a member of the channel's workspace.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { OUTSIDER_AGAIN_TEXT, OUTSIDER_TEXT } from '../../src/features/summaries/outsiders.js';
import { requestText, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

/** Text only #team's members may read. */
const SECRET = 'Launch price is 42 euros, do not share';

/** Everything the simulated Slack shows `user`: ephemerals to them and every message of the conversations they are in. */
function shownTo(sim: SlackSim, user: string): string {
  const mine = sim.conversations().filter((c) => c.members.includes(user));
  return JSON.stringify([
    sim.ephemerals({ user }),
    mine.map((c) => sim.messages(c.id).map((m) => [visibleText(m), m.blocks])),
  ]);
}

async function connectRig(t: Parameters<typeof startRig>[0]) {
  const r = await startRig(t);
  const { sim } = r;
  // Eve works at Acme: not a guest, a member of Acme's workspace, in #with-acme only.
  sim.addUser({ id: 'U0EVE', name: 'eve', team_id: 'T0ACME' });
  const ours = ['U0ALICE', sim.botUserId];
  sim.addConversation({
    id: 'C0SHARED',
    name: 'with-acme',
    is_ext_shared: true,
    members: [...ours, 'U0EVE'],
  });
  sim.addConversation({ id: 'C0TEAM', name: 'team', members: ours });
  const secret = sim.seedMessage({ channel: 'C0TEAM', user: 'U0ALICE', text: SECRET });
  sim.seedMessage({ channel: 'C0TEAM', user: 'U0ALICE', text: 'Agreed.', thread_ts: secret.ts });
  const link = `${sim.team.url}archives/C0TEAM/p${secret.ts.replace('.', '')}`;
  return { ...r, secret, link };
}

test('Slack Connect: someone from another organization cannot summarize another channel by link; told why once a day', async (t) => {
  const { sim, claude, link } = await connectRig(t);
  const summarize = (user: string) =>
    sim.slashCommand({ user, channel: 'C0SHARED', command: '/summarize', text: link });
  await summarize('U0EVE');
  assert.equal(sim.ephemerals({ user: 'U0EVE' }).at(-1)?.text, OUTSIDER_TEXT);
  await summarize('U0EVE');
  assert.equal(sim.ephemerals({ user: 'U0EVE' }).at(-1)?.text, OUTSIDER_AGAIN_TEXT, 'the reason once');
  assert.equal(claude.requests.length, 0, 'nothing of #team reached Claude');
  assert.equal(sim.callsTo('conversations.replies').length, 0, 'nothing of #team was read');
  // Alice, of the installing workspace, gets the summary of the same link.
  await summarize('U0ALICE');
  await sim.waitFor(
    () =>
      sim
        .ephemerals({ user: 'U0ALICE' })
        .find(
          (e) => e.via === 'response_url' && /Summary of a thread in #team/.test(JSON.stringify(e.blocks)),
        ),
    { what: 'Alice’s summary', timeoutMs: 15_000 },
  );
  assert.ok(requestText(claude.requests[0]!.body).includes(SECRET), 'Alice’s summary read #team');
  assert.ok(!shownTo(sim, 'U0EVE').includes(SECRET), 'Eve was shown nothing of #team');
});

test('Slack Connect: the thread shortcut works in a conversation they are in, not on a thread elsewhere', async (t) => {
  const { sim, claude, secret } = await connectRig(t);
  // On #team's thread (reached however): refused, nothing read.
  await sim.messageShortcut({
    user: 'U0EVE',
    channel: 'C0TEAM',
    messageTs: secret.ts,
    callbackId: 'summarize_thread',
  });
  await sim.waitFor(() => sim.ephemerals({ user: 'U0EVE' }).find((e) => e.text === OUTSIDER_TEXT), {
    what: 'the refusal',
  });
  assert.equal(claude.requests.length, 0);
  assert.equal(sim.callsTo('conversations.replies').length, 0, 'nothing of #team was read');
  // In #with-acme, where Eve is a member: summarized as for anyone.
  const parent = sim.seedMessage({ channel: 'C0SHARED', user: 'U0EVE', text: 'Shipping date for Acme?' });
  sim.seedMessage({ channel: 'C0SHARED', user: 'U0ALICE', text: 'March.', thread_ts: parent.ts });
  await sim.messageShortcut({
    user: 'U0EVE',
    channel: 'C0SHARED',
    messageTs: parent.ts,
    callbackId: 'summarize_thread',
  });
  await sim.waitFor(
    () =>
      sim
        .ephemerals({ user: 'U0EVE' })
        .find((e) => e.via === 'response_url' && /Summary of a thread/.test(JSON.stringify(e.blocks))),
    { what: 'Eve’s summary of her own thread', timeoutMs: 15_000 },
  );
  assert.equal(claude.requests.length, 1);
  // In her DM with the bot too.
  sim.addConversation({
    id: 'D0EVE',
    name: 'U0EVE',
    is_im: true,
    is_channel: false,
    is_private: true,
    user: 'U0EVE',
    members: ['U0EVE', sim.botUserId],
  });
  const own = sim.seedMessage({ channel: 'D0EVE', user: 'U0EVE', text: 'Notes for the Acme call' });
  await sim.messageShortcut({
    user: 'U0EVE',
    channel: 'D0EVE',
    messageTs: own.ts,
    callbackId: 'summarize_thread',
  });
  await until('Eve’s summary of her DM', () => claude.requests.length === 2);
  for (const req of claude.requests) assert.ok(!requestText(req.body).includes(SECRET));
  assert.ok(!shownTo(sim, 'U0EVE').includes(SECRET), 'Eve was shown nothing of #team');
});

test('Slack Connect: a mention with a link into another channel is answered from this conversation only', async (t) => {
  const { sim, claude, link } = await connectRig(t);
  const { message } = await sim.post({
    user: 'U0EVE',
    channel: 'C0SHARED',
    text: `<@${sim.botUserId}> what does this say? ${link}`,
  });
  await waitForReplies(sim, 'C0SHARED', message.ts);
  assert.equal(claude.requests.length, 1);
  assert.ok(!requestText(claude.requests[0]!.body).includes(SECRET), 'Claude got nothing of #team');
  assert.ok(!shownTo(sim, 'U0EVE').includes(SECRET));
  assert.ok(botReplies(sim, 'C0SHARED', message.ts).length > 0);
});

test('an event without user_team: the person’s workspace is asked of Slack, not taken from the channel', async (t) => {
  const { sim, claude } = await startRig(t, { env: { ALLOWED_TEAM_IDS: 'T0SIM' } });
  sim.addUser({ id: 'U0EVE', name: 'eve', team_id: 'T0ACME' });
  // Slack Connect status not (yet) on the channel: its events carry no user_team.
  sim.addConversation({ id: 'C0NEW', name: 'new', members: ['U0ALICE', 'U0EVE', sim.botUserId] });
  await sim.post({ user: 'U0EVE', channel: 'C0NEW', text: `<@${sim.botUserId}> hi` });
  const note = await sim.waitFor(() => sim.ephemerals({ user: 'U0EVE' })[0], { what: 'note' });
  assert.equal(note.text, 'I’m not enabled for people from your organization.');
  assert.equal(claude.requests.length, 0);
});

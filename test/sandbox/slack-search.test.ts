/**
 * The simulated Slack's assistant.search.context: the documented shape, the action_token of a
 * person's event (theirs only, short-lived), the scopes per channel type, and access: a person
 * finds nothing from a conversation they cannot read; a guest only their own channels.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { addSharedChannel } from '../support/seed.js';
import { simClient } from '../support/sim-client.js';

/** A sim whose events land in `events` (a bare HTTP receiver that acks everything). */
async function simWithEvents(t: TestContext, scopes?: string[]) {
  const sim = await SlackSim.start(scopes ? { scopes } : {});
  const events: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      events.push((JSON.parse(body) as { event: Record<string, unknown> }).event);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  t.after(async () => {
    await sim.close();
    await new Promise((r) => server.close(r));
  });
  const client = simClient(sim);
  /** The action_token of a message `user` posts in `channel`. */
  const tokenOf = async (user: string, channel = 'C0GENERAL') => {
    await sim.post({ user, channel, text: `<@${sim.botUserId}> hi` });
    const e = events.filter((x) => x.user === user).at(-1);
    return e?.action_token as string | undefined;
  };
  const search = (args: Record<string, unknown>): Promise<Record<string, unknown>> =>
    client
      .apiCall('assistant.search.context', args)
      .then((r) => r as unknown as Record<string, unknown>)
      .catch((err: { data: Record<string, unknown> }) => err.data);
  return { sim, events, tokenOf, search };
}

test('a person finds messages they can read, in the documented shape, and nothing of a private channel they are not in', async (t) => {
  const { sim, tokenOf, search } = await simWithEvents(t);
  const secret = sim.seedMessage({
    channel: 'G0PRIVATE',
    user: 'U0ALICE',
    text: 'The launch plan moves to March',
  });
  const open = sim.seedMessage({
    channel: 'C0RANDOM',
    user: 'U0BOB',
    text: 'Launch plan draft is in the wiki',
  });
  const types = 'public_channel,private_channel';

  const alice = await tokenOf('U0ALICE');
  assert.match(alice ?? '', /^\d+\.\d+\.[0-9a-f]+$/, 'the message event carries an action_token');
  const found = (await search({ query: 'launch plan', action_token: alice, channel_types: types })) as {
    ok: boolean;
    results: { messages: Array<Record<string, unknown>> };
    response_metadata: { next_cursor: string };
  };
  assert.equal(found.ok, true);
  assert.deepEqual(found.results.messages.map((m) => m.message_ts).sort(), [secret.ts, open.ts].sort());
  const first = found.results.messages.find((m) => m.message_ts === secret.ts);
  assert.deepEqual(Object.keys(first ?? {}).sort(), [
    'author_user_id',
    'channel_id',
    'content',
    'is_author_bot',
    'message_ts',
    'permalink',
    'team_id',
  ]);
  assert.match(String(first?.permalink), /\/archives\/G0PRIVATE\/p\d+$/);

  // Carla is not in #project-x: she finds #random (public, not joined) but never the private one.
  const carla = await tokenOf('U0CARLA');
  const hers = (await search({ query: 'launch plan', action_token: carla, channel_types: types })) as {
    results: { messages: Array<{ channel_id: string; content: string }> };
  };
  assert.deepEqual(
    hers.results.messages.map((m) => m.channel_id),
    ['C0RANDOM'],
  );
  assert.ok(!JSON.stringify(hers).includes('March'));
});

test('a guest finds only the conversations they are in', async (t) => {
  const { sim, tokenOf, search } = await simWithEvents(t);
  sim.addUser({ id: 'U0GUEST', name: 'gwen', is_restricted: true });
  sim.state.conversations.get('C0GENERAL')?.members.push('U0GUEST');
  sim.seedMessage({ channel: 'C0RANDOM', user: 'U0BOB', text: 'The budget for the launch is approved' });
  const inGeneral = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'Launch budget: see the sheet',
  });
  const guest = await tokenOf('U0GUEST');
  const r = (await search({ query: 'launch budget', action_token: guest })) as {
    results: { messages: Array<{ message_ts: string }> };
  };
  assert.deepEqual(
    r.results.messages.map((m) => m.message_ts),
    [inGeneral.ts],
  );
});

test('no token, a foreign or expired one, or a channel type without its scope is refused', async (t) => {
  const { sim, tokenOf, search } = await simWithEvents(
    t,
    manifestScopes().filter((s) => s !== 'search:read.private'),
  );
  assert.equal((await search({ query: 'launch' })).error, 'invalid_action_token');
  assert.equal((await search({ query: 'launch', action_token: '1.2.abc' })).error, 'invalid_action_token');
  const token = await tokenOf('U0ALICE');
  assert.equal((await search({ query: '', action_token: token })).error, 'invalid_arguments');
  const noScope = await search({ query: 'launch', action_token: token, channel_types: 'private_channel' });
  assert.deepEqual([noScope.error, noScope.needed], ['missing_scope', 'search:read.private']);
  assert.equal(
    (await search({ query: 'launch', action_token: token })).ok,
    true,
    'public needs .public only',
  );
  sim.expireActionTokens();
  assert.equal((await search({ query: 'launch', action_token: token })).error, 'invalid_action_token');
});

test('without any search:read scope the method answers missing_scope', async (t) => {
  const { tokenOf, search } = await simWithEvents(
    t,
    manifestScopes().filter((s) => !s.startsWith('search:read')),
  );
  const token = await tokenOf('U0ALICE');
  assert.equal((await search({ query: 'launch', action_token: token })).error, 'missing_scope');
});

test('people from another organization (Slack Connect) get no action_token', async (t) => {
  const { sim, tokenOf } = await simWithEvents(t);
  addSharedChannel(sim, { external: { id: 'U0EXT', name: 'ext', team: 'T0OTHER' } });
  assert.equal(await tokenOf('U0EXT', 'C0SHARED'), undefined);
  assert.ok(await tokenOf('U0ALICE', 'C0SHARED'));
});

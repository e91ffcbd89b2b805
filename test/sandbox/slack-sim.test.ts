import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { manifestScopes } from '../../sandbox/slack/scopes.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import type { SlackSimOptions } from '../../sandbox/slack/types.js';

interface TestContextLike {
  after: (fn: () => Promise<void>) => void;
}

/** Teardown in reverse order of setup, so apps stop before the sim they talk to goes away. */
const cleanups = new WeakMap<TestContextLike, Array<() => Promise<unknown>>>();
function defer(t: TestContextLike, fn: () => Promise<unknown>): void {
  let list = cleanups.get(t);
  if (!list) {
    const fresh: Array<() => Promise<unknown>> = [];
    list = fresh;
    cleanups.set(t, fresh);
    t.after(async () => {
      for (const f of fresh.reverse()) await f();
    });
  }
  list.push(fn);
}

async function startSim(t: TestContextLike, opts: SlackSimOptions = {}): Promise<SlackSim> {
  const sim = await SlackSim.start(opts);
  defer(t, () => sim.close());
  return sim;
}

function clientFor(sim: SlackSim, token = sim.botToken, extra: Record<string, unknown> = {}): WebClient {
  return new WebClient(token, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    ...extra,
  });
}

/** Rejection data of a failed WebClient call. */
async function slackError(
  p: Promise<unknown>,
): Promise<{ code?: string; data?: { error?: string }; retryAfter?: number }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; data?: { error?: string }; retryAfter?: number };
  }
  throw new Error('expected the call to fail');
}

test('auth.test and users.info answer like Slack', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  const auth = await client.auth.test();
  assert.equal(auth.user_id, 'U0BOT');
  assert.equal(auth.bot_id, 'B0BOT');
  assert.equal(auth.team_id, 'T0SIM');
  assert.equal(auth.url, sim.team.url);
  const info = await client.users.info({ user: 'U0CARLA' });
  assert.equal(info.user?.profile?.display_name, 'carla.d');
  assert.equal(info.user?.real_name, 'Carla Díaz');
});

test('guests, memberships and shared channels look the way Slack shows them', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  sim.addUser({ id: 'U0GUEST', name: 'gus', is_ultra_restricted: true });
  sim.addUser({ id: 'U0EXT', name: 'eve', team_id: 'T0ACME' });
  const guest = (await client.users.info({ user: 'U0GUEST' })).user;
  assert.deepEqual([guest?.is_restricted, guest?.is_ultra_restricted], [true, true]);
  assert.equal((await client.users.info({ user: 'U0EXT' })).user?.team_id, 'T0ACME');
  assert.equal((await client.users.info({ user: 'U0ALICE' })).user?.is_restricted, false);
  // users.conversations: public channels only unless `types` says more; private ones only where
  // the bot is too (#random has no bot, #project-x has); paged at most 999.
  const ids = async (args: Record<string, unknown>) =>
    ((await client.users.conversations({ user: 'U0ALICE', ...args })).channels ?? []).map((c) => c.id);
  assert.deepEqual(await ids({}), ['C0GENERAL', 'C0RANDOM']);
  assert.deepEqual(await ids({ types: 'public_channel,private_channel' }), [
    'C0GENERAL',
    'C0RANDOM',
    'G0PRIVATE',
  ]);
  const first = await client.users.conversations({ user: 'U0ALICE', limit: 1 });
  assert.deepEqual(
    first.channels?.map((c) => c.id),
    ['C0GENERAL'],
  );
  const next = await client.users.conversations({
    user: 'U0ALICE',
    limit: 1,
    cursor: first.response_metadata?.next_cursor as string,
  });
  assert.deepEqual(
    next.channels?.map((c) => c.id),
    ['C0RANDOM'],
  );
  const members = await client.conversations.members({ channel: 'C0GENERAL', limit: 2 });
  assert.deepEqual(members.members, ['U0ALICE', 'U0BOB']);
  // In a shared channel events carry the author's own workspace in user_team / source_team.
  const app = await startHttpApp(t, sim);
  const seen: Array<Record<string, unknown>> = [];
  app.event('app_mention', async ({ event, body }) => {
    seen.push({ ...event, envelope_team: body.team_id });
  });
  sim.addConversation({ id: 'C0SHARED', name: 'shared', is_ext_shared: true, members: ['U0EXT', 'U0BOT'] });
  await sim.post({ user: 'U0EXT', channel: 'C0SHARED', text: '<@U0BOT> hi' });
  await sim.waitFor(() => seen[0], { what: 'mention' });
  assert.deepEqual(
    [seen[0]?.envelope_team, seen[0]?.user_team, seen[0]?.source_team],
    ['T0SIM', 'T0ACME', 'T0ACME'],
  );
});

test('postMessage, update and replies keep thread counters', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'question' });
  const reply = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'draft', thread_ts: parent.ts });
  assert.equal(reply.message?.bot_id, 'B0BOT');
  const updated = await client.chat.update({ channel: 'C0GENERAL', ts: reply.ts ?? '', text: 'final' });
  assert.equal(updated.text, 'final');
  assert.equal(sim.message('C0GENERAL', parent.ts)?.reply_count, 1);
  const replies = await client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts });
  assert.deepEqual(
    replies.messages?.map((m) => m.text),
    ['question', 'final'],
  );
  assert.ok(replies.messages?.[1]?.edited);
  const link = await client.chat.getPermalink({ channel: 'C0GENERAL', message_ts: parent.ts });
  assert.equal(link.permalink, `${sim.team.url}archives/C0GENERAL/p${parent.ts.replace('.', '')}`);
  // Only the bot's own messages can be edited.
  const denied = await slackError(client.chat.update({ channel: 'C0GENERAL', ts: parent.ts, text: 'x' }));
  assert.equal(denied.data?.error, 'cant_update_message');
});

test('history seeded out of order reads in ts order; deleting replies keeps the thread right', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  const parent = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: 'p',
    ts: '1700000000.000100',
  });
  for (const [ts, text] of [
    ['1700000000.000400', 'r3'],
    ['1700000000.000200', 'r1'],
    ['1700000000.000300', 'r2'],
  ] as const) {
    sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text, ts, thread_ts: parent.ts });
  }
  const texts = async () =>
    (await client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts })).messages?.map(
      (m) => m.text,
    );
  assert.deepEqual(await texts(), ['p', 'r1', 'r2', 'r3']);
  assert.equal(sim.message('C0GENERAL', parent.ts)?.latest_reply, '1700000000.000400');
  await sim.deleteMessage('C0GENERAL', '1700000000.000400');
  assert.deepEqual(await texts(), ['p', 'r1', 'r2']);
  assert.equal(sim.message('C0GENERAL', parent.ts)?.reply_count, 2);
  assert.equal(sim.message('C0GENERAL', parent.ts)?.latest_reply, '1700000000.000300');
  assert.equal(sim.message('C0GENERAL', '1700000000.000400'), undefined);
  // A parent with replies stays as a tombstone, its replies readable.
  await sim.deleteMessage('C0GENERAL', parent.ts);
  assert.deepEqual(await texts(), ['This message was deleted.', 'r1', 'r2']);
});

test('conversations.history pages newest first with cursors', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  for (let i = 0; i < 5; i++) sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: `m${i}` });
  const first = await client.conversations.history({ channel: 'C0GENERAL', limit: 2 });
  assert.deepEqual(
    first.messages?.map((m) => m.text),
    ['m4', 'm3'],
  );
  assert.equal(first.has_more, true);
  const texts: string[] = [];
  for await (const page of client.paginate('conversations.history', { channel: 'C0GENERAL', limit: 2 })) {
    for (const m of (page as { messages?: Array<{ text?: string }> }).messages ?? [])
      texts.push(m.text ?? '');
  }
  assert.deepEqual(texts, ['m4', 'm3', 'm2', 'm1', 'm0']);
});

test('streams accumulate markdown and refuse appends once stopped', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'explain' });
  await client.assistant.threads.setStatus({
    channel_id: 'C0GENERAL',
    thread_ts: parent.ts,
    status: 'is thinking…',
  });
  const missing = await slackError(
    client.chat.startStream({ channel: 'C0GENERAL', thread_ts: parent.ts, markdown_text: 'x' }),
  );
  assert.equal(missing.data?.error, 'missing_recipient_team_id');
  const started = await client.chat.startStream({
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    markdown_text: 'Hello',
    recipient_team_id: 'T0SIM',
    recipient_user_id: 'U0ALICE',
  });
  const ts = started.ts ?? '';
  assert.equal(sim.message('C0GENERAL', ts)?.streaming, true);
  assert.equal(sim.statuses().at(-1)?.status, '', 'a reply clears the assistant status');
  await client.chat.appendStream({
    channel: 'C0GENERAL',
    ts,
    chunks: [{ type: 'markdown_text', text: ', world' }],
  });
  const tooLong = await slackError(
    client.chat.appendStream({ channel: 'C0GENERAL', ts, markdown_text: 'x'.repeat(12_001) }),
  );
  assert.equal(tooLong.data?.error, 'msg_too_long');
  await client.chat.stopStream({ channel: 'C0GENERAL', ts, markdown_text: '!' });
  const msg = sim.message('C0GENERAL', ts);
  assert.equal(msg?.streaming, false);
  assert.equal(msg?.text, 'Hello, world!');
  assert.equal(msg?.chunks_text, 'Hello, world!');
  const late = await slackError(
    client.chat.appendStream({ channel: 'C0GENERAL', ts, markdown_text: 'more' }),
  );
  assert.equal(late.data?.error, 'message_not_in_streaming_state');
});

test('errors: membership, unknown ids, auth, disabled methods, rate limits', async (t) => {
  const sim = await startSim(t);
  const client = clientFor(sim);
  const notIn = await slackError(client.chat.postMessage({ channel: 'C0RANDOM', text: 'hi' }));
  assert.equal(notIn.data?.error, 'not_in_channel');
  const history = await slackError(client.conversations.history({ channel: 'C0RANDOM' }));
  assert.equal(history.data?.error, 'not_in_channel');
  const unknown = await slackError(client.conversations.info({ channel: 'C0NOPE' }));
  assert.equal(unknown.data?.error, 'channel_not_found');
  const noText = await slackError(client.chat.postMessage({ channel: 'C0GENERAL', text: '' }));
  assert.equal(noText.data?.error, 'no_text');
  const badAuth = await slackError(clientFor(sim, 'xoxb-wrong').auth.test());
  assert.equal(badAuth.data?.error, 'invalid_auth');
  sim.disableMethod('chat.startStream');
  const disabled = await slackError(
    client.chat.startStream({ channel: 'D0ALICE', thread_ts: '1.000001', markdown_text: 'x' }),
  );
  assert.equal(disabled.data?.error, 'unknown_method');
  sim.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
  const limited = await slackError(
    clientFor(sim, sim.botToken, { rejectRateLimitedCalls: true }).chat.postMessage({
      channel: 'C0GENERAL',
      text: 'hi',
    }),
  );
  assert.equal(limited.code, ErrorCode.RateLimitedError);
  assert.equal(limited.retryAfter, 7);
  assert.equal(sim.callsTo('chat.postMessage').at(-1)?.error, 'ratelimited');
  // The fault was one-shot: the next call goes through.
  await client.chat.postMessage({ channel: 'C0GENERAL', text: 'hi' });
  assert.equal(sim.messages('C0GENERAL').at(-1)?.text, 'hi');
});

/** A Bolt app over HTTP, pointed at the sim both ways. */
async function startHttpApp(t: TestContextLike, sim: SlackSim): Promise<App> {
  const app = new App({
    token: sim.botToken,
    signingSecret: sim.signingSecret,
    clientOptions: { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });
  const server = (await app.start(0)) as Server;
  defer(t, () => app.stop());
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events` });
  return app;
}

/** Alice opens the app's Home tab: an event with no message behind it. */
const HOME_OPENED = {
  type: 'app_home_opened',
  user: 'U0ALICE',
  channel: 'D0ALICE',
  tab: 'home',
  event_ts: '1.000001',
};

/** A person mentions the app: Slack delivers the message and the app_mention, and both are acked. */
async function mentionAcked(sim: SlackSim, user: string, channel: string, text: string) {
  const posted = await sim.post({ user, channel, text });
  assert.deepEqual(
    posted.deliveries.map((d) => d.status),
    [200, 200],
    'message + app_mention',
  );
  return posted;
}

test('HTTP delivery: a Bolt app answers a mention and a DM', async (t) => {
  const sim = await startSim(t);
  const app = await startHttpApp(t, sim);
  app.event('app_mention', async ({ event, say }) => {
    await say({ text: `hello <@${event.user}>`, thread_ts: event.thread_ts ?? event.ts });
  });
  app.message(async ({ message, say }) => {
    if (message.channel_type === 'im' && !message.subtype)
      await say({ text: 'dm reply', thread_ts: message.ts });
  });
  const { message, deliveries } = await mentionAcked(sim, 'U0ALICE', 'C0GENERAL', '<@U0BOT> hi');
  assert.match(deliveries[0]?.eventId ?? '', /^Ev/);
  const reply = await sim.waitFor(() => sim.thread('C0GENERAL', message.ts)[1], { what: 'mention reply' });
  assert.equal(reply.text, 'hello <@U0ALICE>');
  const dm = await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', text: 'private question' });
  assert.equal(dm.deliveries.length, 1, 'no app_mention in DMs');
  const dmReply = await sim.waitFor(() => sim.thread('D0ALICE', dm.message.ts)[1], { what: 'dm reply' });
  assert.equal(dmReply.text, 'dm reply');
});

test('HTTP delivery: forged or stale signatures get 401', async (t) => {
  const sim = await startSim(t);
  await startHttpApp(t, sim);
  const event = HOME_OPENED;
  assert.equal((await sim.deliver(event, { signature: 'v0=deadbeef' })).status, 401);
  assert.equal((await sim.deliver(event, { signature: null })).status, 401);
  const stale = Math.floor(Date.now() / 1000) - 600;
  assert.equal((await sim.deliver(event, { timestamp: stale })).status, 401);
  assert.equal((await sim.deliver(event)).status, 200);
});

test('HTTP delivery: slash command respond() lands as an ephemeral; shortcuts reach app.shortcut', async (t) => {
  const sim = await startSim(t);
  const app = await startHttpApp(t, sim);
  app.command('/summarize', async ({ command, ack, respond }) => {
    await ack();
    await respond({ text: `summary of ${command.channel_id}: ${command.text}`, response_type: 'ephemeral' });
  });
  let shortcutMessage: string | undefined;
  app.shortcut('summarize_message', async ({ shortcut, ack, respond }) => {
    await ack();
    if (shortcut.type === 'message_action') shortcutMessage = shortcut.message.text;
    await respond({ text: 'done', response_type: 'ephemeral' });
  });
  const res = await sim.slashCommand({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    command: '/summarize',
    text: 'today',
  });
  assert.equal(res.status, 200);
  const eph = await sim.waitFor(() => sim.ephemerals({ user: 'U0BOB' })[0], { what: 'ephemeral' });
  assert.equal(eph.text, 'summary of C0GENERAL: today');
  assert.equal(eph.via, 'response_url');
  const target = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'long story' });
  const sc = await sim.messageShortcut({
    user: 'U0CARLA',
    channel: 'C0GENERAL',
    messageTs: target.ts,
    callbackId: 'summarize_message',
  });
  assert.equal(sc.status, 200);
  await sim.waitFor(() => sim.ephemerals({ user: 'U0CARLA' })[0], { what: 'shortcut response' });
  assert.equal(shortcutMessage, 'long story');
});

test('response_url: at most five uses, unknown ids are 404', async (t) => {
  const sim = await startSim(t);
  const app = await startHttpApp(t, sim);
  let url = '';
  app.command('/summarize', async ({ command, ack }) => {
    url = command.response_url;
    await ack();
  });
  await sim.slashCommand({ user: 'U0BOB', channel: 'C0GENERAL', command: '/summarize', text: '' });
  const send = () => fetch(url, { method: 'POST', body: JSON.stringify({ text: 'x' }) });
  for (let i = 0; i < 5; i++) assert.equal((await send()).status, 200);
  const sixth = await send();
  assert.equal(sixth.status, 404);
  assert.equal(((await sixth.json()) as { error?: string }).error, 'used_url');
  assert.equal((await fetch(`${sim.url}/response/nope`, { method: 'POST', body: '{}' })).status, 404);
});

test('Socket Mode: a Bolt app gets an app_mention over the WebSocket and acks it', async (t) => {
  const sim = await startSim(t);
  const app = new App({
    token: sim.botToken,
    appToken: sim.appToken,
    socketMode: true,
    clientOptions: { slackApiUrl: sim.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  await app.start();
  defer(t, () => app.stop());
  assert.equal(sim.socketCount, 1);
  assert.equal(sim.callsTo('apps.connections.open').at(-1)?.ok, true);
  app.event('app_mention', async ({ event, say }) => {
    await say({ text: 'over the socket', thread_ts: event.ts });
  });
  const { message } = await mentionAcked(sim, 'U0BOB', 'G0PRIVATE', 'hey <@U0BOT>');
  assert.ok(sim.acks.length >= 2, 'acks recorded');
  const reply = await sim.waitFor(() => sim.thread('G0PRIVATE', message.ts)[1], { what: 'socket reply' });
  assert.equal(reply.text, 'over the socket');
});

test('Socket Mode: a refresh_requested disconnect makes the client reconnect; retries carry retry_attempt', async (t) => {
  const sim = await startSim(t);
  // A custom receiver gets a short ping timeout, which is also the client's reconnect delay (default 5 s).
  // Unlike App's built-in receiver, it does not inherit App's clientOptions: slackApiUrl goes in installerOptions.
  const receiver = new SocketModeReceiver({
    appToken: sim.appToken,
    clientPingTimeout: 300,
    installerOptions: { clientOptions: { slackApiUrl: sim.apiUrl } },
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: sim.botToken,
    receiver,
    clientOptions: { slackApiUrl: sim.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  const retries: Array<number | undefined> = [];
  app.event('app_home_opened', async ({ context }) => {
    retries.push(context.retryNum);
  });
  await app.start();
  defer(t, () => app.stop());
  sim.requestSocketReconnect();
  await sim.waitFor(() => sim.callsTo('apps.connections.open').length === 2 && sim.socketCount === 1, {
    what: 'reconnect',
  });
  const event = HOME_OPENED;
  const res = await sim.deliver(event, { eventId: 'Ev0SAME', retryNum: 1, retryReason: 'timeout' });
  assert.equal(res.status, 200);
  assert.equal(res.eventId, 'Ev0SAME');
  await sim.waitFor(() => retries.length === 1, { what: 'retried event' });
  assert.deepEqual(retries, [1]);
});

test('app home, reactions, edits and joins reach a Bolt app over HTTP', async (t) => {
  // This app reacts too: an app whose manifest asks for reactions:write.
  const sim = await startSim(t, { scopes: [...manifestScopes(), 'reactions:write'] });
  const app = await startHttpApp(t, sim);
  app.event('app_home_opened', async ({ event, client }) => {
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
  });
  const seen: string[] = [];
  app.message(async ({ message }) => {
    seen.push(message.subtype ?? 'plain');
  });
  await sim.openAppHome('U0BOB');
  await sim.waitFor(() => sim.homeViews().U0BOB, { what: 'home view' });
  assert.ok(
    sim.conversations().some((c) => c.is_im && c.user === 'U0BOB'),
    'DM created on first open',
  );
  const { message } = await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: 'typo' });
  await sim.editMessage('C0GENERAL', message.ts, 'fixed');
  await sim.deleteMessage('C0GENERAL', message.ts);
  await sim.joinChannel('U0CARLA', 'C0GENERAL');
  await sim
    .waitFor(() => seen.length === 4, { what: 'four message events' })
    .catch((e) => {
      throw new Error(`${e} seen=${seen}`);
    });
  assert.deepEqual(seen, ['plain', 'message_changed', 'message_deleted', 'channel_join']);
  // Slack also tells the bot about its own join; Bolt's ignoreSelf drops that one.
  await sim.joinChannel('U0BOT', 'C0RANDOM');
  const client = clientFor(sim);
  const mine = await client.chat.postMessage({ channel: 'C0RANDOM', text: 'now I can post here' });
  await client.reactions.add({ channel: 'C0RANDOM', timestamp: mine.ts ?? '', name: 'eyes' });
  assert.deepEqual(sim.message('C0RANDOM', mine.ts ?? '')?.reactions, [
    { name: 'eyes', users: ['U0BOT'], count: 1 },
  ]);
  const again = await slackError(
    client.reactions.add({ channel: 'C0RANDOM', timestamp: mine.ts ?? '', name: 'eyes' }),
  );
  assert.equal(again.data?.error, 'already_reacted');
});

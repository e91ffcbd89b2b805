import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { botEnv, startFakes, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { visibleText, waitForReplies } from '../support/visible.js';

/** Once a socket is open: a mention goes over it, every envelope is acked, and the answer shows. */
async function mentionOverSocket(sim: SlackSim, claude: FakeAnthropic, answer: string): Promise<void> {
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  claude.enqueue({ text: answer });
  const { message, deliveries } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hi`,
  });
  assert.ok(
    deliveries.every((d) => d.status === 200),
    'every envelope acknowledged',
  );
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), answer);
  assert.equal(claude.requests.length, 1);
}

test('Socket Mode: a mention arrives over the WebSocket, is acknowledged and answered', async (t) => {
  const { sim, claude } = await startRig(t, { socketMode: true });
  await mentionOverSocket(sim, claude, 'Hello over a socket.');
});

test('Socket Mode in the real process: the WebSocket lives in the receiving thread, a mention is answered, and the connection is counted', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startChild(t, 'src/main.ts', { ...botEnv(sim, claude), SLACK_APP_TOKEN: sim.appToken });
  const port = await bot.ready;
  await mentionOverSocket(sim, claude, 'Hello from the real process.');
  // The receiving thread's connection events reach the metrics the main thread serves.
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /^slackbot_socket_connections_total\{event="opened"\} 1$/m);
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0);
  await sim.waitFor(() => sim.socketCount === 0 || undefined, { what: 'the socket closed on shutdown' });
});

test('Socket Mode: when Slack asks for a new connection (refresh_requested), the old one keeps receiving until the new one is open', async (t) => {
  const { sim, claude, bot } = await startRig(t, { socketMode: true });
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  claude.enqueue({ text: 'Answered during the hand-over.' });
  // Sent right after Slack's requests (a warning may follow refresh_requested), over the only
  // connection there is: the old one.
  sim.requestSocketReconnect();
  sim.requestSocketReconnect('warning');
  const { message, deliveries } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hi during the hand-over`,
  });
  assert.deepEqual(
    deliveries.map((d) => d.status),
    [200, 200],
  );
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'Answered during the hand-over.');
  await sim.waitFor(() => (sim.socketsOpened === 2 && sim.socketCount === 1) || undefined, {
    what: 'the new connection open and the old one closed',
  });
  claude.requests.length = 0;
  await mentionOverSocket(sim, claude, 'Hello over the new socket.');
  const metrics = await bot.metrics.registry.getSingleMetricAsString('slackbot_socket_connections_total');
  assert.match(metrics, /\{event="opened"\} 2$/m);
  assert.match(metrics, /\{event="handed_over"\} 1$/m);
});

test('Socket Mode: while Slack refuses new connections the bot keeps trying, and answers once one opens', async (t) => {
  const { sim, claude, bot, port } = await startRig(t, { socketMode: true });
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  const readyz = async () =>
    (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { status: string };
  assert.deepEqual(await readyz(), { status: 'ready' });
  sim.failNext('apps.connections.open', { error: 'internal_error', times: 2 });
  sim.disconnectSockets();
  // Not ready while no connection is open: events cannot reach this replica.
  await until('/readyz no longer ready', async () => (await readyz()).status !== 'ready', { everyMs: 20 });
  assert.deepEqual(await readyz(), { status: 'socket_disconnected' });
  // Tried at once, then after 1 s and 2 s.
  await sim.waitFor(() => sim.socketCount > 0 || undefined, {
    what: 'a connection after two refusals',
    timeoutMs: 15_000,
  });
  assert.equal(sim.calls.filter((c) => c.method === 'apps.connections.open' && !c.ok).length, 2);
  await mentionOverSocket(sim, claude, 'Hello after the refusals.');
  assert.deepEqual(await readyz(), { status: 'ready' });
  const metrics = await bot.metrics.registry.getSingleMetricAsString('slackbot_socket_connections_total');
  assert.match(metrics, /\{event="lost"\} 1$/m);
  assert.match(metrics, /\{event="failed"\} 2$/m);
});

test('Socket Mode: a connection that goes quiet without closing (no pings, no pongs) is noticed and replaced, and the next mention is answered', async (t) => {
  const { sim, claude } = await startRig(t, { socketMode: true });
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  sim.silenceSockets();
  // The client pings every 5 s and gives up on a link whose pongs stop for 5 s.
  await sim.waitFor(() => sim.socketCount > 0 || undefined, {
    what: 'a new connection in place of the silent one',
    timeoutMs: 30_000,
  });
  assert.equal(sim.socketsOpened, 2);
  await mentionOverSocket(sim, claude, 'Hello after a silent link.');
});

test('Socket Mode: an app-level token Slack rejects stops start-up with one line naming SLACK_APP_TOKEN, and the token is not shown', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startChild(t, 'src/main.ts', {
    ...botEnv(sim, claude),
    SLACK_APP_TOKEN: 'xapp-1-wrong-token-000',
  });
  assert.equal(await bot.exited, 1);
  assert.equal(
    bot.stderr().trim(),
    'Start-up failed: SLACK_APP_TOKEN: Slack did not accept the app-level token (invalid_auth)',
  );
  assert.doesNotMatch(bot.stdout() + bot.stderr(), /wrong-token/);
});

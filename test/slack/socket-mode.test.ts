import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startFakeAnthropic } from '../../src/sandbox/fake-anthropic.js';
import { SlackSim } from '../../src/sandbox/slack-sim.js';
import { startChild } from '../support/child.js';
import { botEnv, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('Socket Mode: a mention arrives over the WebSocket, is acknowledged and answered', async (t) => {
  const { sim, claude } = await startRig(t, { socketMode: true });
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  claude.enqueue({ text: 'Hello over a socket.' });
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
  assert.equal(visibleText(reply!), 'Hello over a socket.');
  assert.equal(claude.requests.length, 1);
});

test('Socket Mode in the real process: the WebSocket lives in the receiving thread, and a mention is answered', async (t) => {
  const sim = await SlackSim.start();
  const claude = await startFakeAnthropic();
  t.after(async () => {
    await sim.close();
    await claude.close();
  });
  const bot = startChild(t, 'src/main.ts', { ...botEnv(sim, claude), SLACK_APP_TOKEN: sim.appToken });
  await bot.ready;
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  claude.enqueue({ text: 'Hello from the real process.' });
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
  assert.equal(visibleText(reply!), 'Hello from the real process.');
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0);
  await sim.waitFor(() => sim.socketCount === 0 || undefined, { what: 'the socket closed on shutdown' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FakeAnthropic } from '../../src/sandbox/fake-anthropic.js';
import type { SlackSim } from '../../src/sandbox/slack-sim.js';
import { startChild } from '../support/child.js';
import { botEnv, startFakes, startRig } from '../support/rig.js';
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

test('Socket Mode in the real process: the WebSocket lives in the receiving thread, and a mention is answered', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startChild(t, 'src/main.ts', { ...botEnv(sim, claude), SLACK_APP_TOKEN: sim.appToken });
  await bot.ready;
  await mentionOverSocket(sim, claude, 'Hello from the real process.');
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0);
  await sim.waitFor(() => sim.socketCount === 0 || undefined, { what: 'the socket closed on shutdown' });
});

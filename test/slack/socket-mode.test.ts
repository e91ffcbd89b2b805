import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { waitForReplies } from '../support/visible.js';

test('only signed, current requests reach the bot: forged, missing, stale and future signatures get 401', async (t) => {
  const { sim, claude } = await startRig(t);
  const m = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: `<@${sim.botUserId}> hi` });
  const event = {
    type: 'app_mention',
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    text: m.text,
    ts: m.ts,
    event_ts: m.ts,
  };
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await sim.deliver(event, { signature: 'v0=forged' })).status, 401);
  assert.equal((await sim.deliver(event, { signature: null })).status, 401);
  assert.equal((await sim.deliver(event, { timestamp: now - 600 })).status, 401, 'stale');
  assert.equal((await sim.deliver(event, { timestamp: now + 3600 })).status, 401, 'from the future');
  // A genuine question afterwards is the only one answered.
  const real = await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', text: `<@${sim.botUserId}> real` });
  await waitForReplies(sim, 'C0GENERAL', real.message.ts);
  assert.equal(claude.requests.length, 1);
});

test('oversized bodies are refused with 413', async (t) => {
  const { port } = await startRig(t);
  const body = JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(2 * 1024 * 1024) });
  const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  assert.equal(res.status, 413);
});

/**
 * Every kind of write the bot makes (streamed answers, posted and edited answers, ephemeral notes,
 * response_url answers) goes out with unfurling off, and no text in it can ping with an overlong
 * mention label.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimCall, SlackSim } from '../../sandbox/slack/sim.js';
import { startRig } from '../support/rig.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

const HUGE = 'x'.repeat(5000);
const LONG = 'y'.repeat(150);
const HOSTILE = `See https://evil.example/leak?q=1 and ask <@U0BOB|${HUGE}> or <@U0BOB|${LONG}>.`;

/** Every write call the sim answered, with whether it asked Slack not to unfurl. */
function writes(sim: SlackSim): Array<{ method: string; off: boolean }> {
  const kinds = /^chat\.(postMessage|postEphemeral|update|startStream|appendStream|stopStream)$/;
  const off = (c: SimCall) =>
    String(c.args.unfurl_links) === 'false' && String(c.args.unfurl_media) === 'false';
  return [...sim.calls.filter((c) => kinds.test(c.method)), ...sim.responses].map((c) => ({
    method: c.method,
    off: off(c),
  }));
}

/** Mention labels anywhere in what the bot wrote (message text, blocks, ephemerals). */
function labels(sim: SlackSim): number[] {
  const all = JSON.stringify([sim.state.ephemerals, ...sim.conversations().map((c) => sim.messages(c.id))]);
  const threads = sim
    .conversations()
    .flatMap((c) => sim.messages(c.id).flatMap((m) => sim.thread(c.id, m.ts)))
    .map((m) => JSON.stringify([m.text, m.blocks]));
  return [...`${all}${threads.join('')}`.matchAll(/<@U[A-Z0-9]+\|([^>]*)>/g)].map((m) => m[1]?.length ?? 0);
}

test('hostile output: a 5,000-character mention label is capped, links are not unfurled, streamed or posted', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.setResponder(() => ({ text: HOSTILE, chunkSize: 200 }));
  const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'Who knows?' });
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> ask Bob`,
  });
  const [streamed] = await waitForReplies(sim, 'C0GENERAL', parent.ts);
  assert.match(visibleText(streamed!), /^See https:\/\/evil\.example\/leak\?q=1 and ask /);
  // The same answer when chat streaming is not available: posted, then edited.
  sim.disableMethod('chat.startStream');
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> again`,
  });
  const [posted] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.ok(sim.callsTo('chat.postMessage').length > 0, 'posted, not streamed');
  // Bob wrote in the first thread: still mentioned there, the 150-character label cut to 100; the
  // 5,000-character one is no mention at all. In the second, he is a name, as short.
  assert.ok(visibleText(streamed!).includes(`<@U0BOB|${LONG.slice(0, 100)}…>`), visibleText(streamed!));
  for (const reply of [streamed, posted]) {
    const text = visibleText(reply!);
    assert.ok(!text.includes(LONG), 'the long label cut');
    assert.ok(!text.includes(`<@U0BOB|${HUGE.slice(0, 200)}`), 'no mention with the huge label');
  }
  assert.ok(Math.max(...labels(sim)) <= 101, `longest label: ${Math.max(...labels(sim))}`);
  const all = writes(sim);
  assert.ok(
    ['chat.startStream', 'chat.stopStream', 'chat.postMessage'].every((m) => all.some((w) => w.method === m)),
    all.map((w) => w.method).join(),
  );
  assert.deepEqual(
    all.filter((w) => !w.off),
    [],
    'every write asks Slack not to unfurl',
  );
  assert.deepEqual(sim.unfurls(), []);
});

test('ephemeral notes and response_url answers are written under the same rule', async (t) => {
  const { sim, claude } = await startRig(t, {
    env: { ALLOWED_CHANNEL_IDS: 'C0GENERAL', ALLOWED_USER_IDS: 'U0ALICE,U0BOB' },
  });
  claude.setResponder(() => ({ text: `Summary with https://evil.example/x and <@U0BOB|${HUGE}>.` }));
  await sim.post({ user: 'U0ALICE', channel: 'G0PRIVATE', text: `<@${sim.botUserId}> hi` });
  await sim.waitFor(() => sim.ephemerals({ channel: 'G0PRIVATE', user: 'U0ALICE' })[0], { what: 'note' });
  sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'We ship on Friday, see https://example.test/plan',
  });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  await sim.waitFor(() => sim.responses.length > 1 && sim.responses, { timeoutMs: 15_000, what: 'summary' });
  const all = writes(sim);
  assert.ok(
    all.some((w) => w.method === 'chat.postEphemeral') && all.some((w) => w.method === 'response_url'),
  );
  assert.deepEqual(
    all.filter((w) => !w.off),
    [],
    'every write asks Slack not to unfurl',
  );
  assert.deepEqual(sim.unfurls(), []);
  assert.ok(Math.max(0, ...labels(sim)) <= 101);
  assert.equal(botReplies(sim, 'G0PRIVATE', '0').length, 0);
});

/** What the model writes can ping only the people of the conversation; user groups never. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const ZWSP = '\u200B';

test('an answer pings only people who wrote in the thread; others become names, user groups text', async (t) => {
  const { sim, claude } = await startRig(t);
  const parent = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0BOB',
    text: 'Deploy is blocked, ask <@U0CARLA>.',
  });
  claude.enqueue({
    text: 'Thanks <@U0BOB>. I asked <@U0CARLA> and <@U0DAVE|dave>, and <@U0ZED>; cc <!subteam^S0ENG|@eng>.',
    chunkSize: 3,
  });
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> who can unblock <@U0ALICE>?`,
  });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', parent.ts);
  const text = visibleText(reply!);
  assert.match(text, /Thanks <@U0BOB>\./, 'Bob wrote in the thread: a real mention');
  // Carla was only mentioned: her name (known from reading the thread), without a ping.
  assert.match(text, new RegExp(`I asked @${ZWSP}carla\\.d and @${ZWSP}dave, and @${ZWSP}someone;`));
  assert.match(text, new RegExp(`cc @${ZWSP}eng\\.`));
  assert.doesNotMatch(text, /<@U0CARLA>|<@U0DAVE|<@U0ZED>|<!subteam/);
});

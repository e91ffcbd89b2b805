import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/sandbox.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('in the sandbox Evan’s Slack speaks German: the bot’s own reply to him is in German, to Alice in English', async (t) => {
  const sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
  t.after(() => sandbox.close());
  const { sim } = sandbox;
  const ask = async (user: string, text: string) => {
    const { message } = await sim.post({ user, channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${text}` });
    const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
    return visibleText(reply as NonNullable<typeof reply>);
  };
  assert.match(await ask('U0EVAN', 'remember that the release is on Friday'), /Das merke ich mir/);
  assert.match(await ask('U0ALICE', 'what do you remember?'), /release is on Friday/);
  assert.doesNotMatch(await ask('U0ALICE', 'remember that the standup is at 9'), /merke/);
});

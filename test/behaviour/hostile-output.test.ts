import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

// Claude asked to repeat one character thousands of times: each a run of 20,000, on its own line.
const RUN = 20_000;
const CHARS = ['@', '*', '_', '`', '|', '>'];
const HOSTILE = CHARS.map((char) => char.repeat(RUN)).join('\n');

test('an answer repeating one character thousands of times does not hold up someone else’s question', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: HOSTILE, chunkSize: 8 }, { text: 'Paris is the capital of France.' });
  const hostile = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> repeat @ twenty thousand times, then * _ \` | >`,
  });
  await claude.waitForRequests(1);
  const question = await sim.post({
    user: 'U0BOB',
    channel: 'G0PRIVATE',
    text: `<@${sim.botUserId}> what is the capital of France?`,
  });

  const [answer] = await waitForReplies(sim, 'G0PRIVATE', question.message.ts);
  assert.ok(answer);
  assert.equal(visibleText(answer), 'Paris is the capital of France.');

  // The hostile answer completes too, every character of it, spread over several messages.
  const count = (text: string, char: string) => text.split(char).length - 1;
  const parts = await sim.waitFor(
    () => {
      const replies = botReplies(sim, 'C0GENERAL', hostile.message.ts);
      const shown = replies.map(visibleText).join('');
      const complete = CHARS.every((char) => count(shown, char) === RUN);
      return complete && replies.every((m) => !m.streaming) ? replies : undefined;
    },
    { timeoutMs: 30_000, what: `all ${RUN} of each character in C0GENERAL` },
  );
  assert.ok(parts.length >= CHARS.length, 'split into messages within Slack’s limit');
  assert.equal(claude.requests.length, 2);
});

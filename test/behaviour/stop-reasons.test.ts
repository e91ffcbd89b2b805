/** Claude's stop reasons, as people see them: a cut answer says how to get the rest; a refusal says so. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestText, startRig } from '../support/rig.js';
import { mention, visibleText, waitForReplies } from '../support/visible.js';

test('an answer stopped at the length limit says so, and "continue" goes on from there', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'The first half of a long answer', stopReason: 'max_tokens' });
  const message = await mention(sim, 'explain');
  const [cut] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(
    visibleText(cut!),
    'The first half of a long answer\n\n_…the answer reached the length limit here. Mention me with “continue” in this thread for the rest._',
  );
  claude.enqueue({ text: 'and the second half.' });
  await mention(sim, 'continue', { thread_ts: message.ts });
  const replies = await waitForReplies(sim, 'C0GENERAL', message.ts, 2);
  assert.equal(visibleText(replies[1]!), 'and the second half.');
  // Claude saw its own cut answer as the previous turn, then "continue".
  const sent = requestText(claude.requests[1]?.body ?? {});
  assert.ok(sent.indexOf('The first half of a long answer') < sent.lastIndexOf('continue'));
});

test('a refusal ends with a clear note', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'I can', stopReason: 'refusal' });
  const message = await mention(sim, 'something');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'I can\n\n_Claude declined to continue this answer._');
});

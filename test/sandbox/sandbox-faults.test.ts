import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/sandbox.js';
import { botReplies, visibleText } from '../support/visible.js';

// The first-token limit is the stall detector here; a busy machine must not reach it before the first words.
test('the sandbox can stall Claude mid-answer: the text shown is kept and marked interrupted after CLAUDE_FIRST_TOKEN_TIMEOUT_MS', async (t) => {
  const sandbox = await startSandbox({
    env: { LOG_LEVEL: 'silent', CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '3000' },
    port: 0,
  });
  t.after(() => sandbox.close());
  sandbox.claude.setFault('stalled_stream');
  const { sim } = sandbox;
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what changed in the release?`,
  });
  const replies = await sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', message.ts);
      return r.length >= 2 && r.every((m) => !m.streaming) ? r : undefined;
    },
    { what: 'the kept text and the notice', timeoutMs: 30_000 },
  );
  assert.match(visibleText(replies[0]!), /interrupted/);
  assert.match(visibleText(replies[1]!), /Reference:/);
});

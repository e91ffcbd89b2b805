/**
 * A permission removed from the app after install: the person reads which one is missing and that
 * an admin must reinstall the app, not "something went wrong"; the logs name it once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('a scope removed after install: the person is told which permission is missing and who can fix it', async (t) => {
  const rig = await startRig(t);
  const { sim } = rig;
  // Reading a channel's thread needs channels:history.
  sim.removeScope('channels:history');
  for (const question of ['what did we decide?', 'and now?']) {
    const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'Release plan?' });
    await sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      thread_ts: parent.ts,
      text: `<@${sim.botUserId}> ${question}`,
    });
    const [reply] = await waitForReplies(sim, 'C0GENERAL', parent.ts);
    const text = visibleText(reply!);
    assert.match(text, /lacks the Slack permission `channels:history`/);
    assert.match(text, /admin must reinstall the app/);
    assert.doesNotMatch(text, /went wrong/);
  }
  assert.ok(sim.calls.some((c) => c.error === 'missing_scope'));
  const told = rig.logs.filter((l) => /lacks the scope channels:history/.test(l));
  assert.equal(told.length, 1, 'logged once, with the scope');
  assert.equal(rig.claude.requests.length, 0);
});

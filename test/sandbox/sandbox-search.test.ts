/**
 * `npm run sandbox` shows workspace search: in #project-x (the research profile), asked what that
 * channel does not say, the offline model searches the simulated workspace as the asker and the
 * answer links the #general message it found under Sources.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/sandbox.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('asked in #project-x where the Q3 roadmap is, the sandbox answer cites the #general message', async (t) => {
  const sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
  t.after(() => sandbox.close());
  const { sim } = sandbox;
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'G0PRIVATE',
    text: `<@${sim.botUserId}> where did the Q3 roadmap move?`,
  });
  const [reply] = await waitForReplies(sim, 'G0PRIVATE', message.ts, 1, 20_000);
  const text = visibleText(reply!);
  const wiki = sim.messages('C0GENERAL').find((m) => m.text.includes('wiki.example.com/roadmap/q3'));
  assert.ok(wiki);
  assert.equal(sim.callsTo('assistant.search.context').length, 1);
  assert.match(text, /From the workspace/);
  assert.ok(text.includes(`/archives/C0GENERAL/p${wiki.ts.replace('.', '')}`), text);
});

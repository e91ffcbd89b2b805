/** Slack's agent sessions: processing while the bot answers (the stop button shows), active after. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { startRig } from '../support/rig.js';
import { mention, visibleText, waitForReplies } from '../support/visible.js';

test('the thread’s agent session is processing while Claude answers, active once the answer is done', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'A slow answer, word by word.', chunkSize: 4, chunkDelayMs: 40 });
  const message = await mention(sim, 'hi');
  const during = await sim.waitFor(() => sim.sessions().find((s) => s.threadTs === message.ts), {
    what: 'a session for the thread',
  });
  assert.equal(during.status, 'processing');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'A slow answer, word by word.');
  assert.equal(sim.sessions().find((s) => s.threadTs === message.ts)?.status, 'active');
});

test('an error reply also moves the session out of processing', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ status: 400 });
  const message = await mention(sim, 'hi');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  await sim.waitFor(() => sim.sessions().find((s) => s.threadTs === message.ts && s.status === 'active'), {
    what: 'the session active again',
  });
});

test('an app not declared as an agent: no session, the answer as before', async (t) => {
  const legacy = await SlackSim.start({ agentView: false });
  const { sim, claude } = await startRig(t, { sim: legacy });
  t.after(() => legacy.close());
  claude.enqueue({ text: 'Still answered.' });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'Still answered.');
  assert.deepEqual(sim.sessions(), []);
});

test('a DM’s session is titled after the question, cut short at a word', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ text: 'Sure.' });
  const question =
    'How do I rotate the staging database credentials without downtime for the payment service?';
  const { message } = await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', text: question });
  await waitForReplies(sim, 'D0ALICE', message.ts);
  const session = await sim.waitFor(() => sim.sessions().find((s) => s.threadTs === message.ts && s.title), {
    what: 'a titled session',
  });
  assert.equal(session.title, 'How do I rotate the staging database credentials without…');
  // A reply in the thread keeps the name: the session is named once.
  claude.enqueue({ text: 'Yes.' });
  await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', thread_ts: message.ts, text: 'And for the cache?' });
  await waitForReplies(sim, 'D0ALICE', message.ts, 2);
  assert.equal(sim.callsTo('agents.sessions.rename').length, 1);
  assert.equal(sim.sessions().find((s) => s.threadTs === message.ts)?.title, session.title);
});

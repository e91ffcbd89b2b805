/** Summaries share fairly: they count against per-person limits and run a few at a time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimEphemeral, SlackSim } from '../../sandbox/slack/sim.js';
import { ERROR_TEXT } from '../../src/features/failure-text.js';
import { startRig } from '../support/rig.js';
import { mention, waitForReplies } from '../support/visible.js';

const summaryOf = (e: SimEphemeral) => JSON.stringify(e.blocks ?? []).includes('"type":"markdown"');

function waitForEphemeral(sim: SlackSim, user: string, test: (e: SimEphemeral) => boolean, what: string) {
  return sim.waitFor(() => sim.ephemerals({ user }).find(test), { timeoutMs: 15_000, what });
}

test('a summary counts against USER_REQUESTS_PER_HOUR like a question: over it, no Claude call', async (t) => {
  const { sim, claude } = await startRig(t, { env: { USER_REQUESTS_PER_HOUR: '1' } });
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'The release moves to Friday.' });
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '3h' });
  await waitForEphemeral(sim, 'U0ALICE', summaryOf, 'the first summary');
  const calls = claude.requests.length;
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '2h' });
  const refused = await waitForEphemeral(
    sim,
    'U0ALICE',
    (e) => /limit of 1 questions per hour/.test(e.text ?? ''),
    'the limit note',
  );
  assert.match(refused.text ?? '', /It resets at \d\d:\d\d UTC/);
  assert.equal(claude.requests.length, calls, 'no Claude call for the refused summary');
});

test('SUMMARIES_MAX_CONCURRENT=1: a second summary waits its turn, and a mention meanwhile is answered, not told busy', async (t) => {
  const { sim, claude } = await startRig(t, {
    env: { SUMMARIES_MAX_CONCURRENT: '1', CLAUDE_MAX_CONCURRENT: '1', CLAUDE_MAX_QUEUED: '1' },
  });
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'The release moves to Friday.' });
  sim.seedMessage({ channel: 'C0GENERAL', user: 'U0CARLA', text: 'Lunch is at noon.' });
  for (let i = 0; i < 3; i++) claude.enqueue({ text: `Reply ${i}.`, headersDelayMs: 300 });
  await sim.slashCommand({ user: 'U0BOB', channel: 'C0GENERAL', command: '/summarize', text: '3h' });
  await sim.slashCommand({ user: 'U0CARLA', channel: 'C0GENERAL', command: '/summarize', text: '2h' });
  const message = await mention(sim, 'hi');
  await waitForEphemeral(sim, 'U0CARLA', (e) => /yours starts next/.test(e.text ?? ''), 'the waiting note');
  const [answer] = await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 15_000);
  assert.doesNotMatch(answer?.text ?? '', new RegExp(ERROR_TEXT.busy.slice(0, 20)));
  await waitForEphemeral(sim, 'U0BOB', summaryOf, 'the first summary');
  await waitForEphemeral(sim, 'U0CARLA', summaryOf, 'the second summary');
  assert.equal(claude.requests.length, 3);
});

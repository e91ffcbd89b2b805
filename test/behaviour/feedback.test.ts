/** Feedback buttons under answers: one vote per person per answer, counted in metrics and on the Home tab. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimMessage } from '../../sandbox/slack/sim.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

type Block = { type?: string; block_id?: string; elements?: Array<{ type?: string; action_id?: string }> };
const feedbackOf = (m: SimMessage) =>
  ((m.blocks ?? []) as Block[]).find(
    (b) => b.type === 'context_actions' && b.elements?.[0]?.type === 'feedback_buttons',
  );

test('an answer ends with feedback buttons; votes count once per person, can change, and show on the Home tab', async (t) => {
  const { sim, claude, bot } = await startRig(t);
  claude.enqueue({ text: 'Here is the answer.' });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  const block = feedbackOf(reply!);
  assert.ok(block, 'feedback buttons under the answer');
  assert.match(block.block_id ?? '', /^feedback:Ev.*@default$/);
  const click = (user: string, value: string) =>
    sim.blockAction({ user, channel: 'C0GENERAL', actionId: 'answer_feedback', value, messageTs: reply!.ts });
  const votes = async () =>
    (await bot.metrics.registry.getSingleMetricAsString('slackbot_feedback_total'))
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.trim());
  await click('U0BOB', 'up');
  await click('U0BOB', 'up');
  await until('the vote counted', async () => (await votes()).length > 0);
  assert.deepEqual(await votes(), [
    'slackbot_feedback_total{vote="up",model="claude-sonnet-5-5",profile="default",change="new"} 1',
  ]);
  await click('U0BOB', 'down');
  await until('the changed vote counted', async () => (await votes()).length === 2);
  await sim.openAppHome('U0CARLA', 'home');
  const home = await sim.waitFor(
    () => JSON.stringify(sim.homeViews().U0CARLA ?? '').match(/👍 (\d+) · 👎 (\d+)/) ?? undefined,
    {
      what: 'the feedback count on the Home tab',
    },
  );
  assert.deepEqual([home[1], home[2]], ['0', '1']);
});

test('an error reply has no feedback buttons', async (t) => {
  const { sim, claude } = await startRig(t);
  claude.enqueue({ status: 400 });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.match(reply!.text, /could not process/);
  assert.equal(feedbackOf(reply!), undefined);
});

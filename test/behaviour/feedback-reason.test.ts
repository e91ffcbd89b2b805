/** A 👎 opens a modal asking why; the reason is kept with the answer, counted, and listed for admins. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricLines, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

test('👎 opens a reason modal; the reason is stored, counted by reason and shown to admins; a closed modal still counts the 👎', async (t) => {
  const { sim, claude, bot } = await startRig(t, { env: { ADMIN_USER_IDS: 'U0CARLA' } });
  claude.enqueue({ text: 'The release is on Monday.' });
  const message = await mention(sim, 'when is the release?');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  const click = (user: string, value: string) =>
    sim.blockAction({ user, channel: 'C0GENERAL', actionId: 'answer_feedback', value, messageTs: reply!.ts });

  // 👍 stays one click: no modal.
  await click('U0ALICE', 'up');
  await until('the 👍 counted', async () => (await metricLines(bot, 'slackbot_feedback_total')).length === 1);
  assert.equal(sim.views().length, 0);

  await click('U0BOB', 'down');
  const modal = await sim.waitFor(() => sim.views('U0BOB')[0], { what: 'the reason modal' });
  assert.equal(modal.view.callback_id, 'feedback_reason');
  // The 👎 is counted at the click, before any reason.
  await until('the 👎 counted', async () =>
    (await metricLines(bot, 'slackbot_feedback_total')).some((l) => /vote="down"/.test(l)),
  );
  const r = await sim.submitView({
    user: 'U0BOB',
    viewId: modal.id,
    values: {
      reason: { reason: { type: 'radio_buttons', selected_option: { value: 'outdated' } } },
      details: { details: { type: 'plain_text_input', value: 'The release moved to *Tuesday* <!channel>' } },
    },
  });
  assert.equal(r.status, 200);
  await until(
    'the reason counted',
    async () => (await metricLines(bot, 'slackbot_feedback_reasons_total')).length > 0,
  );
  assert.deepEqual(await metricLines(bot, 'slackbot_feedback_reasons_total'), [
    'slackbot_feedback_reasons_total{reason="outdated",profile="default"} 1',
  ]);
  assert.equal(sim.views('U0BOB')[0]?.open, false, 'the modal closed');

  // Closing the modal gives no reason, but the 👎 stays counted.
  await click('U0CARLA', 'down');
  const second = await sim.waitFor(() => sim.views('U0CARLA')[0]);
  await sim.closeView({ user: 'U0CARLA', viewId: second.id });
  await until('both 👎 counted', async () =>
    (await metricLines(bot, 'slackbot_feedback_total')).some((l) => /vote="down".*change="new"} 2/.test(l)),
  );
  assert.equal((await metricLines(bot, 'slackbot_feedback_reasons_total')).length, 1);

  // Admins see the reason with the answer's reference; others do not.
  await sim.openAppHome('U0CARLA', 'home');
  const home = await sim.waitFor(() => {
    const v = JSON.stringify(sim.homeViews().U0CARLA ?? '');
    return v.includes('voted down') ? v : undefined;
  });
  assert.match(home, /\*outdated\*: “The release moved to/);
  assert.doesNotMatch(home, /<!channel>/, 'the person’s words are escaped');
  assert.match(home, /<@U0BOB>/);
  await sim.openAppHome('U0BOB', 'home');
  const own = await sim.waitFor(() => sim.homeViews().U0BOB);
  assert.doesNotMatch(JSON.stringify(own), /voted down/);
});

test('feedback only on answers the person can see: in a DM only its person; a forged submission for someone else is ignored', async (t) => {
  const { sim, claude, bot } = await startRig(t);
  claude.enqueue({ text: 'Teal.' });
  const { message } = await sim.post({ user: 'U0ALICE', channel: 'D0ALICE', text: 'My colour?' });
  const [reply] = await waitForReplies(sim, 'D0ALICE', message.ts);
  await sim.blockAction({
    user: 'U0BOB',
    channel: 'D0ALICE',
    actionId: 'answer_feedback',
    value: 'down',
    messageTs: reply!.ts,
  });
  await sim.blockAction({
    user: 'U0ALICE',
    channel: 'D0ALICE',
    actionId: 'answer_feedback',
    value: 'down',
    messageTs: reply!.ts,
  });
  const modal = await sim.waitFor(() => sim.views('U0ALICE')[0]);
  await until(
    'Alice’s 👎 counted',
    async () => (await metricLines(bot, 'slackbot_feedback_total')).length === 1,
  );
  assert.equal(sim.views('U0BOB').length, 0, 'no modal for someone outside the DM');
  assert.match(
    (await metricLines(bot, 'slackbot_feedback_total'))[0] ?? '',
    /} 1$/,
    'Bob’s click not counted',
  );
  // A submission arriving for Bob with Alice's modal's metadata is not kept.
  modal.user = 'U0BOB';
  await sim.submitView({
    user: 'U0BOB',
    viewId: modal.id,
    values: { reason: { reason: { type: 'radio_buttons', selected_option: { value: 'harmful' } } } },
  });
  assert.deepEqual(await metricLines(bot, 'slackbot_feedback_reasons_total'), []);
});

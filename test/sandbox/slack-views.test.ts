import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRIGGER_LIFETIME_MS } from '../../sandbox/slack/views.js';
import { failsWith, startSimClient } from '../support/sim-client.js';

const modal = {
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: 'Why?' },
  submit: { type: 'plain_text' as const, text: 'Send' },
  blocks: [
    {
      type: 'input' as const,
      block_id: 'b',
      label: { type: 'plain_text' as const, text: 'Reason' },
      element: { type: 'plain_text_input' as const, action_id: 'a' },
    },
  ],
};

test('views.open: a trigger_id opens one modal, within 3 seconds; the modal is checked as Slack documents', async (t) => {
  const { sim, client } = await startSimClient(t);
  await failsWith(client.views.open({ trigger_id: '1.2.abc', view: modal }), 'invalid_trigger_id');
  const trigger = sim.state.views.issue('U0ALICE');
  await failsWith(
    client.views.open({
      trigger_id: trigger,
      view: { ...modal, title: { type: 'plain_text', text: 'x'.repeat(25) } },
    }),
    'invalid_arguments',
  );
  const { submit: _s, ...noSubmit } = modal;
  await failsWith(client.views.open({ trigger_id: trigger, view: noSubmit }), 'invalid_arguments');
  const r = await client.views.open({ trigger_id: trigger, view: modal });
  assert.ok(r.view?.id);
  assert.equal(sim.views('U0ALICE')[0]?.id, r.view?.id);
  await failsWith(client.views.open({ trigger_id: trigger, view: modal }), 'exchanged_trigger_id');
  const late = sim.state.views.issue('U0ALICE');
  const start = Date.now();
  sim.state.views.now = () => start + TRIGGER_LIFETIME_MS + 1;
  await failsWith(client.views.open({ trigger_id: late, view: modal }), 'expired_trigger_id');
});

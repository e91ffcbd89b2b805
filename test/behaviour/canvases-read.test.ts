/**
 * A canvas shared in the conversation is read like a file: its content (canvases.getContent, as
 * markdown) reaches Claude with the message that shared it; a canvas the bot cannot view is named
 * under the answer, not read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestText, startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('a canvas shared with a question is read; one the bot cannot view is named, not read', async (t) => {
  const r = await startRig(t);
  const plan = r.sim.shareCanvas({
    title: 'Launch plan',
    markdown: '# Launch plan\n- Beta on 3 March\n- GA on 14 April',
    channel: 'C0GENERAL',
  });
  // Shared in #random, where the bot is not: Slack answers canvas_not_found to the bot.
  const hidden = r.sim.shareCanvas({
    title: 'Budget',
    markdown: '# Budget\nSecret numbers',
    channel: 'C0RANDOM',
  });
  const { message } = await r.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${r.sim.botUserId}> when is GA?`,
    files: [plan, hidden],
  });
  const [reply] = await waitForReplies(r.sim, 'C0GENERAL', message.ts);
  const sent = requestText(r.claude.requests.at(-1)?.body ?? {});
  assert.ok(sent.includes('GA on 14 April'), 'the canvas content reached Claude');
  assert.ok(sent.includes('Launch plan'));
  assert.ok(!sent.includes('Secret numbers'), 'the canvas the bot cannot view was not read');
  const calls = r.sim.callsTo('canvases.getContent');
  assert.deepEqual(
    calls.map((c) => c.args.content_type),
    ['markdown', 'markdown'],
  );
  assert.ok(reply);
  assert.match(visibleText(reply), /Budget: I can’t see that canvas/);
});

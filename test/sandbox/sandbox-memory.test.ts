/** The sandbox shows channel memory and follow-ups without a mention with its offline model. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/sandbox.js';
import { visibleText, waitForReplies } from '../support/visible.js';

test('in the sandbox a taught fact shows in #general’s next answer, and a reply in its thread is answered without a mention', async (t) => {
  const sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
  t.after(() => sandbox.close());
  const { sim } = sandbox;
  const mention = (text: string) =>
    sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${text}` });
  const taught = await mention('remember that the offsite is in Lisbon');
  const [ok] = await waitForReplies(sim, 'C0GENERAL', taught.message.ts, 1, 15_000);
  assert.match(visibleText(ok!), /I’ll remember that in this channel/);

  const { message } = await mention('where is the offsite?');
  const [answer] = await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 15_000);
  assert.match(visibleText(answer!), /\*\*Remembered in this channel\*\* \(1\): “the offsite is in Lisbon”/);

  await sim.post({ user: 'U0BOB', channel: 'C0GENERAL', thread_ts: message.ts, text: 'and when?' });
  const replies = await waitForReplies(sim, 'C0GENERAL', message.ts, 2, 15_000);
  assert.match(visibleText(replies[1]!), /You asked: "and when\?"/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startRig } from '../support/rig.js';
import { visibleText, waitForReplies } from '../support/visible.js';

async function ask(rig: Awaited<ReturnType<typeof startRig>>, user: string, text: string) {
  const { message } = await rig.sim.post({
    user,
    channel: 'C0GENERAL',
    text: `<@${rig.sim.botUserId}> ${text}`,
  });
  const [reply] = await waitForReplies(rig.sim, 'C0GENERAL', message.ts);
  return visibleText(reply!);
}

test('questions per hour: the person over the limit is told when it resets; others are answered', async (t) => {
  const rig = await startRig(t, { env: { USER_REQUESTS_PER_HOUR: '2', CACHE_TTL_SECONDS: '0' } });
  rig.claude.setResponder(() => ({ text: 'An answer.' }));
  assert.equal(await ask(rig, 'U0ALICE', 'one'), 'An answer.');
  assert.equal(await ask(rig, 'U0ALICE', 'two'), 'An answer.');
  assert.match(
    await ask(rig, 'U0ALICE', 'three'),
    /limit of 2 questions per hour\. It resets at \d\d:00 UTC/,
  );
  assert.equal(await ask(rig, 'U0BOB', 'mine'), 'An answer.');
  assert.equal(rig.claude.requests.length, 3);
});

test('tokens per day: once spent, the person is told the budget resets at midnight UTC', async (t) => {
  const rig = await startRig(t, { env: { USER_TOKENS_PER_DAY: '50', CACHE_TTL_SECONDS: '0' } });
  rig.claude.setResponder(() => ({ text: 'A long enough answer to use the budget.' }));
  assert.match(await ask(rig, 'U0ALICE', 'first'), /long enough/);
  await rig.sim.waitFor(() => rig.logs.some((l) => l.includes('"msg":"answered"')), {
    what: 'the answer logged',
  });
  assert.match(await ask(rig, 'U0ALICE', 'second'), /today’s budget of 50 tokens\. It resets at 00:00 UTC/);
  assert.equal(rig.claude.requests.length, 1);
});

test('one person cannot take every Claude slot: over USER_MAX_CONCURRENT they are asked to wait', async (t) => {
  const rig = await startRig(t, { env: { USER_MAX_CONCURRENT: '1', CACHE_TTL_SECONDS: '0' } });
  rig.claude.setResponder(() => ({ text: 'Slow answer.', firstTokenDelayMs: 500 }));
  const first = await rig.sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${rig.sim.botUserId}> a`,
  });
  await rig.claude.waitForRequests(1);
  assert.match(await ask(rig, 'U0ALICE', 'b'), /already have 1 question being answered/);
  const [reply] = await waitForReplies(rig.sim, 'C0GENERAL', first.message.ts);
  assert.equal(visibleText(reply!), 'Slow answer.');
  assert.equal(await ask(rig, 'U0ALICE', 'c'), 'Slow answer.', 'allowed again once the first finished');
});

/**
 * Only the person who asked (or an admin of the bot, ADMIN_USER_IDS) stops an answer with Slack's
 * stop button: anyone else's press stops nothing, and they are told privately who can; also when
 * the press reaches another replica than the one that took the question.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startReplicas } from '../support/replicas.js';
import { type Rig, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, visibleText } from '../support/visible.js';

const WORDS = 120;

/**
 * Alice asks for a slow answer (a question of its own: no cached answer), in a thread of its own
 * or in `threadTs`; resolves once it streams.
 */
async function slowAnswer({ sim, claude }: Rig, question = 'tell me everything', threadTs?: string) {
  claude.enqueue({
    text: Array.from({ length: WORDS }, (_, i) => `w${i}`).join(' '),
    chunkSize: 4,
    chunkDelayMs: 25,
  });
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> ${question}`,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  const thread = threadTs ?? message.ts;
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', thread).find((m) => m.streaming), {
    what: 'the answer streaming',
  });
  return message;
}

/** What the thread shows once the bot is done writing in it. */
async function finished({ sim }: Rig, threadTs: string): Promise<string> {
  const replies = await sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', threadTs);
      return r.length > 0 &&
        r.every((m) => !m.streaming) &&
        /w119|\(stopped\)/.test(r.map(visibleText).join(''))
        ? r
        : undefined;
    },
    { what: 'the answer done', timeoutMs: 15_000 },
  );
  return replies.map(visibleText).join('\n');
}

test('someone else’s stop press stops nothing and tells them who can; the asker’s stops the answer', async (t) => {
  const rig = await startRig(t);
  const { sim } = rig;
  const first = await slowAnswer(rig);
  await sim.stopSession('C0GENERAL', first.ts, 'U0BOB');
  const told = await sim.waitFor(() => sim.ephemerals({ user: 'U0BOB' })[0], { what: 'the note to Bob' });
  assert.equal(told.text, 'Only <@U0ALICE>, who asked, can stop this answer.');
  assert.equal(told.thread_ts, first.ts);
  const whole = await finished(rig, first.ts);
  assert.match(whole, /w119/, 'the whole answer arrived');
  assert.doesNotMatch(whole, /\(stopped\)/);

  const second = await slowAnswer(rig, 'and the rest?');
  await sim.stopSession('C0GENERAL', second.ts, 'U0ALICE');
  const stopped = await finished(rig, second.ts);
  assert.match(stopped, /\(stopped\)/);
  assert.doesNotMatch(stopped, /w119/, 'the rest never came');
  assert.equal(sim.ephemerals({ user: 'U0ALICE' }).length, 0, 'the asker is not lectured');
});

test('in a thread where both asked, Bob’s press stops only his own answers, not Alice’s', async (t) => {
  const rig = await startRig(t);
  const { sim, claude } = rig;
  claude.enqueue({ text: 'A short answer for Bob.' });
  const { message: bobs } = await sim.post({
    user: 'U0BOB',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> hi`,
  });
  await sim.waitFor(
    () =>
      botReplies(sim, 'C0GENERAL', bobs.ts).find((m) => !m.streaming && /short answer/.test(visibleText(m))),
    { what: 'Bob’s answer' },
  );
  await slowAnswer(rig, 'and what do you say?', bobs.ts);
  await sim.stopSession('C0GENERAL', bobs.ts, 'U0BOB');
  await until('Bob’s press handled', () => rig.logs.some((l) => l.includes('stop button pressed')));
  const whole = await finished(rig, bobs.ts);
  assert.match(whole, /w119/, 'Alice’s whole answer arrived');
  assert.doesNotMatch(whole, /\(stopped\)/);
});

test('an admin of the bot (ADMIN_USER_IDS) may stop anyone’s answer', async (t) => {
  const rig = await startRig(t, { env: { ADMIN_USER_IDS: 'U0CARLA' } });
  const message = await slowAnswer(rig);
  await rig.sim.stopSession('C0GENERAL', message.ts, 'U0CARLA');
  assert.match(await finished(rig, message.ts), /\(stopped\)/);
});

test('two replicas: the press reaches the one that did not take the question, and the rule holds', async (t) => {
  const { a, b, deliverTo } = await startReplicas(t);
  const message = await slowAnswer(a);
  deliverTo(b);
  await a.sim.stopSession('C0GENERAL', message.ts, 'U0BOB');
  await a.sim.waitFor(() => a.sim.ephemerals({ user: 'U0BOB' })[0], { what: 'the note to Bob' });
  await a.sim.stopSession('C0GENERAL', message.ts, 'U0ALICE');
  assert.match(await finished(a, message.ts), /\(stopped\)/);
  await until('the refusal logged by replica B', () => b.logs.some((l) => l.includes('stop refused')));
});

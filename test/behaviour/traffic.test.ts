import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { REDIS_URL, startPrivateRedis, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { visibleText, waitForReplies } from '../support/visible.js';

const ask = async (
  rig: Awaited<ReturnType<typeof startRig>>,
  channel: string,
  text: string,
  user = 'U0ALICE',
) => {
  const { message } = await rig.sim.post({ user, channel, text: `<@${rig.sim.botUserId}> ${text}` });
  const [reply] = await waitForReplies(rig.sim, channel, message.ts);
  return visibleText(reply!);
};

test('cache: the same question again is answered from the cache; another channel asks Claude again', async (t) => {
  const rig = await startRig(t);
  rig.claude.enqueue({ text: 'Forty-two.' }, { text: 'Forty-two, in random.' });
  assert.equal(await ask(rig, 'C0GENERAL', 'meaning of life?'), 'Forty-two.');
  assert.equal(await ask(rig, 'C0GENERAL', 'meaning of life?'), 'Forty-two.');
  assert.equal(rig.claude.requests.length, 1, 'second answer from the cache');
  rig.sim.addConversation({
    id: 'C0OTHER',
    name: 'other',
    is_channel: true,
    members: ['U0ALICE', rig.sim.botUserId],
  });
  assert.equal(await ask(rig, 'C0OTHER', 'meaning of life?'), 'Forty-two, in random.');
  assert.equal(rig.claude.requests.length, 2, 'answers are scoped to their conversation');
});

test('cache: errors and cut answers are not cached; TTL 0 turns the cache off', async (t) => {
  const rig = await startRig(t);
  rig.claude.enqueue(
    { status: 400 },
    { text: 'Now it works.' },
    { text: 'cut short', stopReason: 'max_tokens' },
    { text: 'Complete.' },
  );
  assert.match(await ask(rig, 'C0GENERAL', 'q1'), /could not process/);
  assert.equal(await ask(rig, 'C0GENERAL', 'q1'), 'Now it works.');
  assert.match(await ask(rig, 'C0GENERAL', 'q2'), /^cut short\n\n_…the answer reached the length limit here/);
  assert.equal(await ask(rig, 'C0GENERAL', 'q2'), 'Complete.');
  assert.equal(rig.claude.requests.length, 4);

  const off = await startRig(t, { env: { CACHE_TTL_SECONDS: '0' } });
  await ask(off, 'C0GENERAL', 'same');
  await ask(off, 'C0GENERAL', 'same');
  assert.equal(off.claude.requests.length, 2);
});

test('single-flight: ten identical questions at once share one Claude call, and all ten get the answer', async (t) => {
  const rig = await startRig(t);
  rig.claude.setResponder(() => ({ text: 'Shared answer.', firstTokenDelayMs: 300 }));
  const posts = await Promise.all(
    Array.from({ length: 10 }, () =>
      rig.sim.post({
        user: 'U0BOB',
        channel: 'C0GENERAL',
        text: `<@${rig.sim.botUserId}> status of the release?`,
      }),
    ),
  );
  for (const p of posts) {
    const [reply] = await waitForReplies(rig.sim, 'C0GENERAL', p.message.ts);
    assert.equal(visibleText(reply!), 'Shared answer.');
  }
  assert.equal(rig.claude.requests.length, 1);
});

test('circuit breaker: sustained failures answer fast without calling Claude, then it recovers by itself', async (t) => {
  const rig = await startRig(t, { env: { CLAUDE_BREAKER_RESET_MS: '1000', CACHE_TTL_SECONDS: '0' } });
  let healthy = false;
  rig.claude.setResponder(() => (healthy ? { text: 'Back to normal.' } : { status: 500 }));
  for (let i = 0; i < 6; i++) assert.match(await ask(rig, 'C0GENERAL', `q${i}`), /unavailable right now/);
  const calls = rig.claude.requests.length;
  assert.match(await ask(rig, 'C0GENERAL', 'while open'), /unavailable right now/);
  assert.equal(rig.claude.requests.length, calls, 'no Claude call while the circuit is open');
  healthy = true;
  await rig.sim.waitFor(() => rig.logs.some((l) => l.includes('circuit half-open')), {
    timeoutMs: 10_000,
    what: 'the breaker to let a probe through',
  });
  assert.equal(await ask(rig, 'C0GENERAL', 'probe'), 'Back to normal.');
  assert.equal(await ask(rig, 'C0GENERAL', 'and again'), 'Back to normal.');
});

test('two bots sharing one Redis keep one concurrency limit between them', async (t) => {
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: uniquePrefix(),
    CLAUDE_MAX_CONCURRENT: '2',
    CACHE_TTL_SECONDS: '0',
  };
  // Two workspaces, so the two bots' messages never collide; the Claude limits are still shared.
  const a = await startRig(t, { env });
  const simB = await SlackSim.start({ teamId: 'T0SECOND' });
  const b = await startRig(t, { env, sim: simB });
  t.after(() => simB.close());
  let active = 0;
  let peak = 0;
  const responder = () => {
    active++;
    peak = Math.max(peak, active);
    // Each call lasts at least 200 ms; counting it active for 150 ms never overstates overlap.
    setTimeout(() => active--, 150);
    return { text: 'ok', firstTokenDelayMs: 200 };
  };
  a.claude.setResponder(responder);
  b.claude.setResponder(responder);
  await Promise.all(Array.from({ length: 12 }, (_, i) => ask(i % 2 ? a : b, 'C0GENERAL', `question ${i}`)));
  assert.equal(a.claude.requests.length + b.claude.requests.length, 12);
  assert.ok(peak <= 2, `peak concurrency ${peak} within the shared limit of 2`);
});

test('Redis outage: the bot keeps answering, and uses Redis again when it is back', async (t) => {
  const redis = await startPrivateRedis();
  t.after(() => redis.down());
  const rig = await startRig(t, { env: { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '600' } });
  assert.ok((await ask(rig, 'C0GENERAL', 'before')).length > 0);
  await redis.down();
  const during = await ask(rig, 'C0GENERAL', 'during the outage');
  assert.ok(during.length > 0);
  assert.doesNotMatch(during, /:warning:/, 'a real answer, not an error');
  await redis.up();
  await rig.sim.waitFor(
    () => rig.bot.isReady() && rig.logs.some((l) => l.includes('redis reachable again')),
    {
      what: 'the bot to see Redis again',
      timeoutMs: 10_000,
    },
  );
  const after = await ask(rig, 'C0GENERAL', 'after');
  assert.ok(after.length > 0);
  assert.equal(rig.claude.requests.length, 3);
  const warnings = rig.logs.filter((l) => l.includes('redis unavailable'));
  assert.ok(
    warnings.length >= 1 && warnings.length <= 3,
    `outage logged once per connection, not per request (${warnings.length})`,
  );
});

test('single-flight across replicas: the same question reaching two bots on one Redis costs one Claude call, and both threads get the answer', async (t) => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() };
  // One workspace seen by two replicas (a sim each, same team and channel).
  const simA = await SlackSim.start({ teamId: 'T0SHARED' });
  const simB = await SlackSim.start({ teamId: 'T0SHARED' });
  t.after(async () => {
    await simA.close();
    await simB.close();
  });
  // Two sims are one workspace here: keep their message ts apart, as Slack's are (each sim takes
  // its ts from the clock, so two posts in the same millisecond would be one message).
  simB.seedMessage({
    channel: 'C0RANDOM',
    user: 'U0BOB',
    text: 'clock',
    ts: `${Math.floor(Date.now() / 1000) + 3600}.000000`,
  });
  const a = await startRig(t, { env, sim: simA });
  const b = await startRig(t, { env, sim: simB });
  const slow = () => ({ text: 'One answer for both.', firstTokenDelayMs: 400 });
  a.claude.setResponder(slow);
  b.claude.setResponder(slow);
  const [ra, rb] = await Promise.all([
    ask(a, 'C0GENERAL', 'what is our refund policy?'),
    ask(b, 'C0GENERAL', 'what is our refund policy?'),
  ]);
  assert.equal(a.claude.requests.length + b.claude.requests.length, 1, 'one Claude call between them');
  assert.deepEqual([ra, rb], ['One answer for both.', 'One answer for both.']);
  // Counted once each answer is complete (just after its text shows).
  const sources = async (rig: typeof a) =>
    [
      ...(await rig.bot.metrics.registry.metrics()).matchAll(
        /^slackbot_answers_total\{outcome="ok",source="(\w+)"\} 1$/gm,
      ),
    ].map((m) => m[1]);
  let counted: string[] = [];
  await until(
    'both answers counted',
    async () => {
      counted = [...(await sources(a)), ...(await sources(b))].sort() as string[];
      return counted.length >= 2;
    },
    { everyMs: 20 },
  );
  assert.deepEqual(counted, ['claude', 'joined'], 'the replica that waited counts its answer as joined');
});

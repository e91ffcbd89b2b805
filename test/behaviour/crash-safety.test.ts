import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type TestContext, test } from 'node:test';
import { Redis } from 'ioredis';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { botEnv, requestText, startFakes } from '../support/rig.js';
import { slowLink } from '../support/slow-link.js';
import { until } from '../support/until.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

/** Short leases, so a killed process's questions are taken over within seconds. */
const LEASE_MS = '1500';

/**
 * Bot processes (test/support/child-bot.ts, the front in its own thread as in production) that
 * take over from each other: `next()` starts one and points Slack at it (Socket Mode, or its
 * HTTP port), `kill()` ends the current one with SIGKILL.
 */
function processes(
  t: TestContext,
  sim: SlackSim,
  claude: FakeAnthropic,
  env: Record<string, string>,
  socket: boolean,
) {
  let current: ReturnType<typeof startChild> | undefined;
  const all: Array<ReturnType<typeof startChild>> = [];
  return {
    async next(more: Record<string, string> = {}) {
      const bot = startChild(t, 'test/support/child-bot.ts', {
        ...botEnv(sim, claude),
        CLAIM_LEASE_MS: LEASE_MS,
        FRONT_THREAD: '1',
        ...(socket ? { SLACK_APP_TOKEN: sim.appToken } : {}),
        ...env,
        ...more,
      });
      const port = await bot.ready;
      if (socket) await sim.waitFor(() => sim.socketCount > 0, { what: 'a socket connection' });
      else sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
      current = bot;
      all.push(bot);
    },
    /** Kills the current process at once (synchronous: call it from a sim event to kill mid-call). */
    kill() {
      current?.child.kill('SIGKILL');
    },
    async killed() {
      await current?.exited;
      if (socket) await sim.waitFor(() => sim.socketCount === 0, { what: 'the killed socket closed' });
    },
    /** What every process wrote, for failure messages. */
    output: () => all.map((b) => b.output()).join('\n'),
  };
}

/**
 * Kills the process the moment Slack gets its ack of a mention's app_mention (the second event
 * a mention sends, after `message`), in Socket Mode: nothing it does after that ack happens.
 */
function killOnMentionAck(sim: SlackSim, kill: () => void) {
  const before = sim.acks.length;
  const onAck = () => {
    if (sim.acks.length < before + 2) return;
    sim.off('change', onAck);
    kill();
  };
  sim.on('change', onAck);
}

async function ask(sim: SlackSim, text: string, threadTs?: string) {
  const m = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> ${text}`,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return m.message;
}

test('Socket Mode, Redis slow to answer: a process killed the moment Slack has the ack of a mention loses nothing, the next one answers it', async (t) => {
  const { sim, claude } = await startFakes(t);
  claude.setResponder(() => ({ text: 'Answered by the next process.' }));
  const bots = processes(t, sim, claude, { REDIS_KEY_PREFIX: uniquePrefix() }, true);
  // Each request reaches Redis 300 ms late: a question accepted after the ack would still be on
  // its way to Redis when the process dies.
  await bots.next({ REDIS_URL: await slowLink(t, new URL(REDIS_URL), { requestDelayMs: 300 }) });
  killOnMentionAck(sim, bots.kill);
  const m = await ask(sim, 'asked the instant before a crash');
  await bots.killed();
  await bots.next({ REDIS_URL });
  const [reply] = await waitForReplies(sim, 'C0GENERAL', m.ts, 1, 20_000);
  assert.equal(visibleText(reply!), 'Answered by the next process.');
  assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
});

for (const store of ['Redis', 'STATE_DIR'] as const) {
  test(`with ${store}, a question whose process dies twice while working on it is not tried a third time: the person is told, once`, async (t) => {
    const { sim, claude } = await startFakes(t);
    claude.setResponder(() => ({ hang: true }));
    const env: Record<string, string> =
      store === 'Redis'
        ? { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() }
        : { STATE_DIR: mkdtempSync(join(tmpdir(), 'state-')) };
    const bots = processes(t, sim, claude, env, false);
    await bots.next();
    const m = await ask(sim, 'the question that brings the bot down');
    // Killed while working on it, twice: the question itself seems to be what kills the process.
    for (const attempt of [1, 2]) {
      await claude.waitForRequests(attempt, 15_000);
      bots.kill();
      await bots.killed();
      await bots.next();
    }
    const [reply] = await waitForReplies(sim, 'C0GENERAL', m.ts, 1, 15_000);
    assert.match(visibleText(reply!), /I could not answer this question: it stopped the bot twice/);
    assert.equal(claude.requests.length, 2, `not tried a third time\n${bots.output()}`);
    assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
  });
}

/** The questions of the five-point test, each named by a word found in its Claude request. */
const Q = {
  afterAck: 'q1-right-after-the-ack',
  blockerA: 'q2-first-in-line',
  blockerB: 'q2-second-in-line',
  waiting: 'q2-in-the-waiting-room',
  reading: 'q3-while-reading-the-thread',
  streaming: 'q4-mid-stream',
  answered: 'q5-answered-not-yet-recorded',
} as const;

/**
 * SIGKILL at five points between receipt and answer, one question (or three) each, a new
 * process after every kill: each question is answered, exactly once, by the process after.
 * `recorded` tells when the message being streamed is recorded with its job (an instant before
 * that is not covered: see docs/operations.md).
 */
async function killAtFivePoints(
  t: TestContext,
  socket: boolean,
  store: Record<string, string>,
  recorded: () => Promise<boolean> | boolean,
) {
  const { sim, claude } = await startFakes(t);
  const hanging = new Set<string>();
  const stalling = new Set<string>();
  const slow = new Set<string>();
  claude.setResponder((req) => {
    const text = requestText(req.body);
    const name = Object.values(Q).find((n) => text.includes(n)) ?? '?';
    if (hanging.has(name)) return { hang: true };
    if (stalling.has(name)) return { text: `Half of the answer to ${name}, and more.`, stallAfterChars: 20 };
    // Written in parts over a second: the message is recorded with its job well before the end.
    if (slow.has(name)) return { text: `Answer to ${name}.`, chunkSize: 3, chunkDelayMs: 100 };
    return { text: `Answer to ${name}.` };
  });
  // One Claude call at a time (so questions wait in line); a dead process's call frees its
  // shared slot after CLAUDE_TIMEOUT_MS + 5 s.
  const env = {
    CLAUDE_MAX_CONCURRENT: '1',
    CLAUDE_TIMEOUT_MS: '5000',
    CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '5000',
    ...store,
  };
  const bots = processes(t, sim, claude, env, socket);
  const threads: Array<{ name: string; ts: string }> = [];
  /** The next process answers each question once: one reply, the whole answer. */
  const answeredOnce = async (...asked: Array<{ name: string; ts: string }>) => {
    hanging.clear();
    stalling.clear();
    slow.clear();
    await bots.killed();
    await bots.next();
    for (const { name, ts } of asked) {
      const replies = await sim.waitFor(
        () => {
          const r = botReplies(sim, 'C0GENERAL', ts);
          return r.some((m) => !m.streaming && visibleText(m).endsWith(`Answer to ${name}.`)) ? r : undefined;
        },
        { what: `the answer to ${name}`, timeoutMs: 40_000 },
      );
      assert.equal(replies.length, 1, `one reply to ${name}: ${replies.map(visibleText).join(' | ')}`);
      threads.push({ name, ts });
    }
  };
  const asked = async (name: string, threadTs?: string) => ({
    name,
    ts: threadTs ?? (await ask(sim, name)).ts,
  });
  await bots.next();

  // 1. Right after the ack (Claude does not answer yet: nothing is written before the kill); in
  // Socket Mode the very moment Slack gets it.
  hanging.add(Q.afterAck);
  if (socket) killOnMentionAck(sim, bots.kill);
  const q1 = await asked(Q.afterAck);
  bots.kill();
  await answeredOnce(q1);

  // 2. In the waiting room: two questions ahead of it hold the one Claude slot and the line.
  hanging.add(Q.blockerA).add(Q.blockerB);
  const before = claude.requests.length;
  const a = await asked(Q.blockerA);
  await claude.waitForRequests(before + 1);
  const b = await asked(Q.blockerB);
  const q2 = await asked(Q.waiting);
  await sim.waitFor(
    () => {
      const shown = (what: RegExp) =>
        sim.statuses().some((s) => s.thread_ts === q2.ts && what.test(s.status));
      return shown(/queued/) && !shown(/thinking/);
    },
    { what: 'the question in the waiting room' },
  );
  bots.kill();
  await answeredOnce(a, b, q2);

  // 3. While reading the thread: killed as Slack answers conversations.replies, before the bot reads it.
  const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: 'We moved the launch.' });
  const onReplies = (call: { method: string; args: Record<string, unknown> }) => {
    if (call.method !== 'conversations.replies' || call.args.ts !== parent.ts) return;
    sim.off('call', onReplies);
    bots.kill();
  };
  sim.on('call', onReplies);
  await ask(sim, Q.reading, parent.ts);
  await answeredOnce(await asked(Q.reading, parent.ts));

  // 4. Mid-stream: the first words are in Slack, the rest never comes.
  stalling.add(Q.streaming);
  const q4 = await asked(Q.streaming);
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', q4.ts).some((r) => /Half of/.test(visibleText(r))), {
    what: 'the first words of the answer',
  });
  await until('the streamed message recorded with its job', recorded);
  bots.kill();
  await answeredOnce(q4);

  // 5. The answer is whole in Slack, but the process dies before it records the job as done.
  slow.add(Q.answered);
  let q5ts = '';
  const onAnswer = () => {
    const done = botReplies(sim, 'C0GENERAL', q5ts).some(
      (m) => !m.streaming && visibleText(m) === `Answer to ${Q.answered}.`,
    );
    if (!q5ts || !done) return;
    sim.off('call', onAnswer);
    bots.kill();
  };
  sim.on('call', onAnswer);
  const q5 = await ask(sim, Q.answered);
  q5ts = q5.ts;
  await answeredOnce({ name: Q.answered, ts: q5.ts });

  // Nothing was answered twice meanwhile, by any process.
  for (const { name, ts } of threads)
    assert.equal(botReplies(sim, 'C0GENERAL', ts).length, 1, `${name}\n${bots.output()}`);
}

test('Socket Mode with Redis: SIGKILL at five points between receipt and answer loses no question and answers each once', async (t) => {
  const prefix = uniquePrefix();
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  await killAtFivePoints(
    t,
    true,
    { REDIS_URL, REDIS_KEY_PREFIX: prefix },
    async () => (await redis.keys(`${prefix}*job-written:*`)).length > 0,
  );
});

test('HTTP with STATE_DIR: SIGKILL at five points between receipt and answer loses no question and answers each once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'state-'));
  await killAtFivePoints(t, false, { STATE_DIR: dir }, () => {
    const journal = new DatabaseSync(join(dir, 'questions.sqlite'));
    try {
      return journal.prepare("SELECT 1 FROM jobs WHERE written != '[]'").all().length > 0;
    } finally {
      journal.close();
    }
  });
});

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
import { REDIS_URL, startPrivateRedis, uniquePrefix } from '../support/redis.js';
import { childAndSurvivor } from '../support/replicas.js';
import { botEnv, requestText, startFakes, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, visibleText, waitForReplies } from '../support/visible.js';

/** Short leases, so a killed replica's questions are taken over within seconds. */
const LEASE_MS = 1500;

/**
 * Two replicas on one Redis: `doomed`, a process of its own that receives every event (and is
 * killed), and `survivor`, in this process, which never receives one.
 */
async function twoReplicas(
  t: TestContext,
  env: Record<string, string> = {},
  doomedEnv: Record<string, string> = {},
) {
  const { sim, claude } = await startFakes(t);
  const prefix = uniquePrefix();
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env };
  const { child: doomed, survivor } = await childAndSurvivor(t, {
    sim,
    claude,
    entry: 'test/support/child-bot.ts',
    shared,
    childEnv: { CLAIM_LEASE_MS: String(LEASE_MS), ...doomedEnv },
    claimLeaseMs: LEASE_MS,
  });
  const redis = new Redis(REDIS_URL);
  t.after(() => redis.disconnect());
  return { sim, claude, doomed, survivor, prefix, redis };
}

/**
 * Two replicas on one Redis: `stopping`, the real process (src/main.ts) that receives every
 * event and is sent SIGTERM, and one in this process that takes over what it hands back.
 */
async function stoppingAndSurvivor(t: TestContext, env: Record<string, string>) {
  const { sim, claude } = await startFakes(t);
  const shared = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix(), ...env };
  // The survivor takes what was handed back at its next sweep (a third of its lease), but must
  // not take, as lapsed, what the stopping one (30 s leases) still works on: its lease is long
  // enough for the grace period and the notes that follow.
  const { child: stopping } = await childAndSurvivor(t, {
    sim,
    claude,
    entry: 'src/main.ts',
    shared,
    childEnv: { SHUTDOWN_GRACE_MS: '1000' },
    claimLeaseMs: 10_000,
  });
  return { sim, claude, stopping };
}

async function ask(sim: SlackSim, text: string) {
  return (await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> ${text}` }))
    .message;
}

/**
 * The question in the waiting room: told it is queued, never that the bot is thinking (one
 * waiting for a Claude slot was past the door, so it was told both).
 */
function inWaitingRoom(sim: SlackSim, asked: Array<{ ts: string }>) {
  const shown = (m: { ts: string }, what: RegExp) =>
    sim.statuses().some((s) => s.thread_ts === m.ts && what.test(s.status));
  return sim.waitFor(() => asked.find((m) => shown(m, /queued/) && !shown(m, /thinking/)), {
    what: 'a question waiting in the waiting room',
  });
}

/** Claude hangs for every request until `live` is set, then answers "Answer to <question>." */
function hangUntil(claude: FakeAnthropic, live: () => boolean, questions: string[]) {
  claude.setResponder((req) => {
    if (!live()) return { hang: true };
    const q = questions.find((x) => requestText(req.body).includes(x)) ?? '?';
    return { text: `Answer to ${q}.` };
  });
}

test('a replica killed with questions waiting, queued for Claude and in a Claude call: the other replica answers each once', async (t) => {
  // The dead replica's Claude call holds the one shared slot until it expires: the longest a call
  // may run (CLAUDE_TIMEOUT_MS) and a margin.
  const { sim, claude, doomed, survivor } = await twoReplicas(
    t,
    { CLAUDE_MAX_CONCURRENT: '1' },
    { CLAUDE_TIMEOUT_MS: '3000', CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '3000' },
  );
  let killed = false;
  const questions = ['first question', 'second question', 'third question'];
  hangUntil(claude, () => killed, questions);
  const asked: Array<{ ts: string; text: string }> = [];
  // One Claude call at a time and two past the waiting room's door: the first is in a Claude call,
  // the second waits in the Claude queue, the third in the waiting room.
  for (const q of questions) asked.push(await ask(sim, q));
  await claude.waitForRequests(1);
  await inWaitingRoom(sim, asked);
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  killed = true;
  for (const [i, m] of asked.entries()) {
    const replies = await waitForReplies(sim, 'C0GENERAL', m.ts, 1, 20_000);
    assert.equal(replies.length, 1);
    assert.equal(visibleText(replies[0]!), `Answer to ${questions[i]}.`);
  }
  assert.equal(claude.requests.length, 4, 'one call before the kill, one per question after it');
  for (const m of asked) assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
  const metrics = await survivor.bot.metrics.registry.metrics();
  assert.match(metrics, /slackbot_jobs_total\{event="taken_over"\} 3/);
  assert.match(metrics, /slackbot_jobs_oldest_age_seconds \d/);
});

test('a replica killed half-way through streaming an answer: the other one replaces it, once, and Slack’s retry is dropped', async (t) => {
  const { sim, claude, doomed, survivor, prefix, redis } = await twoReplicas(t);
  claude.enqueue(
    { text: 'Partial words from the first replica and more.', chunkSize: 4, stallAfterChars: 20 },
    { text: 'The whole answer, from the second replica.' },
  );
  const m = await ask(sim, 'stream this');
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', m.ts).some((r) => /Partial/.test(visibleText(r))), {
    what: 'the first words in the thread',
  });
  // The message being streamed is recorded with the job before the kill.
  await until(
    'the partial message recorded',
    async () => (await redis.keys(`${prefix}*job-written:*`)).length > 0,
  );
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const replies = await sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', m.ts);
      return r.length === 1 && !r[0]?.streaming && /whole answer/.test(visibleText(r[0]!)) ? r : undefined;
    },
    { what: 'one finished answer', timeoutMs: 15_000 },
  );
  assert.equal(
    visibleText(replies[0]!),
    '_(continued after a restart)_\n\nThe whole answer, from the second replica.',
  );
  // Slack's retry of the event (the first delivery was acked, but retries happen) reaches the survivor.
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${survivor.port}/slack/events` });
  await sim.deliver(
    { type: 'app_mention', channel: 'C0GENERAL', user: 'U0ALICE', text: m.text, ts: m.ts, event_ts: m.ts },
    { retryNum: 1, retryReason: 'http_timeout' },
  );
  await sim.waitFor(() => survivor.logs.some((l) => l.includes('duplicate event dropped')), {
    what: 'the retry dropped',
  });
  assert.equal(claude.requests.length, 2);
  assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
});

test('a question taken over later than JOB_MAX_AGE_SECONDS is told to ask again, not answered late', async (t) => {
  const { sim, claude, doomed } = await twoReplicas(t, { JOB_MAX_AGE_SECONDS: '1' });
  claude.setResponder(() => ({ hang: true }));
  const m = await ask(sim, 'old news');
  await claude.waitForRequests(1);
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const [reply] = await waitForReplies(sim, 'C0GENERAL', m.ts, 1, 15_000);
  assert.match(visibleText(reply!), /lost track of this question.*ask again/);
  assert.equal(claude.requests.length, 1);
  assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
});

test('SIGTERM with Redis: a question still waiting goes to the other replica instead of "ask again"', async (t) => {
  const { sim, claude, stopping } = await stoppingAndSurvivor(t, { CLAUDE_MAX_CONCURRENT: '1' });
  let signalled = false;
  const questions = ['first question', 'second question', 'third question'];
  hangUntil(claude, () => signalled, questions);
  const asked: Array<{ ts: string }> = [];
  for (const q of questions) asked.push(await ask(sim, q));
  await claude.waitForRequests(1);
  const waiting = await inWaitingRoom(sim, asked);
  signalled = true;
  stopping.child.kill('SIGTERM');
  assert.equal(await stopping.exited, 0, stopping.output());
  const [reply] = await waitForReplies(sim, 'C0GENERAL', waiting.ts, 1, 15_000);
  assert.match(visibleText(reply!), /^Answer to \w+ question\.$/);
  assert.equal(botReplies(sim, 'C0GENERAL', waiting.ts).length, 1);
  // The others had passed the door: they end as today, told to ask again after the grace period.
  for (const m of asked.filter((a) => a !== waiting)) {
    const text = (await waitForReplies(sim, 'C0GENERAL', m.ts)).map(visibleText).join('\n');
    assert.match(text, /restarting.*ask again/);
  }
});

test('Redis restarted empty mid-answer, then down: every question is answered once, and what was not durable is counted', async (t) => {
  const redis = await startPrivateRedis();
  t.after(() => redis.down());
  const { sim, claude, bot, logs } = await startRig(t, {
    env: { REDIS_URL: redis.url },
    claimLeaseMs: LEASE_MS,
  });
  const jobs = async (event: string) =>
    (await bot.metrics.jobs.get()).values.find((v) => v.labels.event === event)?.value ?? 0;
  claude.enqueue({ text: 'Written across a Redis restart.', chunkSize: 3, chunkDelayMs: 150 });
  const first = await ask(sim, 'slow one');
  await claude.waitForRequests(1);
  // Lost without persistence: the job and its claim are gone.
  await redis.down();
  await redis.up();
  const [reply] = await waitForReplies(sim, 'C0GENERAL', first.ts, 1, 15_000);
  assert.equal(visibleText(reply!), 'Written across a Redis restart.');
  await redis.down();
  const during = await ask(sim, 'during the outage');
  assert.equal((await waitForReplies(sim, 'C0GENERAL', during.ts)).length, 1);
  assert.equal(await jobs('not_durable'), 1);
  const back = () => logs.filter((l) => l.includes('redis reachable again') && l.includes('"main"')).length;
  const before = back();
  await redis.up();
  await until('the bot to see Redis again', () => back() > before, { timeoutMs: 10_000 });
  const after = await ask(sim, 'after');
  assert.equal((await waitForReplies(sim, 'C0GENERAL', after.ts)).length, 1);
  assert.equal(await jobs('queued'), 2);
  // Nothing left in the stream for a takeover to answer again.
  const probe = new Redis(redis.url);
  const left = await probe.xlen('scb:jobs');
  await probe.quit();
  assert.equal(left, 0);
  for (const m of [first, during, after]) assert.equal(botReplies(sim, 'C0GENERAL', m.ts).length, 1);
  assert.equal(claude.requests.length, 3);
});

test('without Redis, STATE_DIR: a process killed and started again answers what it had acknowledged, once', async (t) => {
  const { sim, claude } = await startFakes(t);
  const dir = mkdtempSync(join(tmpdir(), 'state-'));
  const env = { ...botEnv(sim, claude), STATE_DIR: dir };
  const first = startChild(t, 'test/support/child-bot.ts', env);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await first.ready}/slack/events` });
  let restarted = false;
  const questions = ['kept question', 'streamed question'];
  claude.setResponder((req) => {
    if (restarted) return { text: `Answer to ${questions.find((q) => requestText(req.body).includes(q))}.` };
    return requestText(req.body).includes('streamed')
      ? { text: 'Half of it, then nothing.', stallAfterChars: 12 }
      : { hang: true };
  });
  const kept = await ask(sim, questions[0] as string);
  const streamed = await ask(sim, questions[1] as string);
  await claude.waitForRequests(2);
  await sim.waitFor(
    () => botReplies(sim, 'C0GENERAL', streamed.ts).some((r) => /Half/.test(visibleText(r))),
    {
      what: 'the first words of the second answer',
    },
  );
  // The message being streamed is in the journal before the kill.
  const journal = new DatabaseSync(join(dir, 'questions.sqlite'));
  await until(
    'the partial message in the journal',
    () => journal.prepare("SELECT 1 FROM jobs WHERE written != '[]'").all().length > 0,
  );
  journal.close();
  first.child.kill('SIGKILL');
  await first.exited;
  restarted = true;
  const second = startChild(t, 'test/support/child-bot.ts', env);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${await second.ready}/slack/events` });
  const [a] = await waitForReplies(sim, 'C0GENERAL', kept.ts, 1, 15_000);
  assert.equal(visibleText(a!), 'Answer to kept question.');
  const b = await sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', streamed.ts);
      return r.length === 1 && !r[0]?.streaming && /Answer to/.test(visibleText(r[0]!)) ? r[0] : undefined;
    },
    { what: 'the streamed answer replaced', timeoutMs: 15_000 },
  );
  assert.equal(visibleText(b!), '_(continued after a restart)_\n\nAnswer to streamed question.');
  assert.equal(claude.requests.length, 4);
});

test('SIGTERM with Redis: a question waiting for file memory goes to the other replica too', async (t) => {
  const { sim, claude, stopping } = await stoppingAndSurvivor(t, {
    FILES_MEMORY_MAX_BYTES: String(1024 * 1024),
  });
  let signalled = false;
  hangUntil(claude, () => signalled, ['first question', 'second question']);
  // 700 KB each: the second does not fit a 1 MB file budget while the first holds its file.
  const file = (name: string) =>
    sim.files.add({ name, mimetype: 'text/plain', bytes: Buffer.from('log line\n'.repeat(80_000)) });
  const ask = (text: string, name: string) =>
    sim.post({
      user: 'U0ALICE',
      channel: 'C0GENERAL',
      text: `<@${sim.botUserId}> ${text}`,
      files: [file(name)],
    });
  await ask('first question', 'a.log');
  await claude.waitForRequests(1);
  const { message: second } = await ask('second question', 'b.log');
  await sim.waitFor(
    () => sim.statuses().some((s) => s.thread_ts === second.ts && /waiting to read the files/.test(s.status)),
    { what: 'the second question waiting for file memory' },
  );
  signalled = true;
  stopping.child.kill('SIGTERM');
  assert.equal(await stopping.exited, 0, stopping.output());
  const [reply] = await waitForReplies(sim, 'C0GENERAL', second.ts, 1, 15_000);
  assert.match(visibleText(reply!), /^Answer to second question\./, 'answered by the other replica');
  assert.equal(botReplies(sim, 'C0GENERAL', second.ts).length, 1);
});

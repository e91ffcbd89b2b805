/**
 * Slack's chat.startStream is a Tier 2 method (about 20 a minute per workspace). A burst of
 * questions in one workspace gets every answer whole, without error text, and without the bot
 * drawing more than one `ratelimited` from Slack: past the workspace's stream starts an answer is a
 * posted message edited in place, with the same text and feedback buttons.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HttpTransport } from '../../sandbox/slack/delivery.js';
import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { type Rig, requestText, startRig } from '../support/rig.js';
import { botReplies, visibleText } from '../support/visible.js';

const MENTIONS = 40;

/** Forty people in #general, each asking their own question. */
function addPeople(sim: SlackSim): string[] {
  const general = sim.state.conversations.get('C0GENERAL');
  return Array.from({ length: MENTIONS }, (_, i) => {
    const id = `U0P${String(i).padStart(3, '0')}`;
    sim.addUser({ id, name: `person${i}`, real_name: `Person ${i}`, display_name: `person${i}` });
    general?.members.push(id);
    return id;
  });
}

/** An answer long enough to take a few writes, naming its question. */
function answerFor(n: string): string {
  return `Answer to question ${n}.\n\n${'Here is **more** detail on that point. '.repeat(20)}`.trim();
}

function answerEach(rigs: Rig[]): void {
  for (const rig of rigs) {
    rig.claude.setResponder((req) => {
      const n = /question number (\d+)/.exec(requestText(req.body))?.[1] ?? '?';
      return { text: answerFor(n), chunkSize: 60 };
    });
  }
}

/** The answers each person sees in their thread (continuations joined), once none is streaming. */
async function answersSeen(sim: SlackSim, asked: Array<{ ts: string; n: number }>) {
  return sim.waitFor(
    () => {
      const seen = asked.map(({ ts }) => botReplies(sim, 'C0GENERAL', ts));
      const done = seen.every(
        (r, i) =>
          r.length > 0 &&
          r.every((m) => !m.streaming) &&
          r.some((m) => hasFeedback(m)) &&
          r.map(visibleText).join('').includes(`question ${asked[i]?.n}.`),
      );
      return done ? seen : undefined;
    },
    { timeoutMs: 45_000, what: `${MENTIONS} whole answers` },
  );
}

function hasFeedback(m: SimMessage): boolean {
  return JSON.stringify(m.blocks ?? []).includes('feedback_buttons');
}

async function askAll(sim: SlackSim, people: string[]) {
  return Promise.all(
    people.map(async (user, n) => {
      const { message } = await sim.post({
        user,
        channel: 'C0GENERAL',
        text: `<@${sim.botUserId}> question number ${n}: what should I know?`,
      });
      return { ts: message.ts, n };
    }),
  );
}

/** Streamed or posted, every answer reads the same (its question's number aside), whole, once. */
function assertWhole(replies: SimMessage[][], asked: Array<{ n: number }>): void {
  const texts = replies.map((r, i) => {
    const text = r.map(visibleText).join('');
    assert.ok(text.startsWith(`Answer to question ${asked[i]?.n}.`), text.slice(0, 80));
    assert.doesNotMatch(text, /:warning:|went wrong|empty answer/);
    assert.equal(r.filter(hasFeedback).length, 1, 'feedback buttons under the answer, once');
    return text.replace(/question \d+/, 'question N');
  });
  assert.equal(new Set(texts).size, 1, 'the same text whichever way it was written');
  assert.match(texts[0] ?? '', /detail on that point\.$/);
}

test(`${MENTIONS} mentions in one workspace: every answer whole, past the stream starts as posted messages, at most one ratelimited`, async (t) => {
  const rig = await startRig(t, { env: { CLAUDE_MAX_CONCURRENT: '10' } });
  answerEach([rig]);
  const asked = await askAll(rig.sim, addPeople(rig.sim));
  const replies = await answersSeen(rig.sim, asked);
  assertWhole(replies, asked);
  assert.ok(rig.sim.rateLimited().length <= 1, `ratelimited: ${JSON.stringify(rig.sim.rateLimited())}`);
  const starts = rig.sim.callsTo('chat.startStream').filter((c) => c.ok).length;
  assert.ok(starts > 0 && starts <= 20, `stream starts within Tier 2: ${starts}`);
  assert.ok(
    rig.sim.callsTo('chat.postMessage').length >= MENTIONS - starts,
    'the other answers were posted messages',
  );
});

test('Slack refusing a stream start (another app spent them) switches that answer to a posted message, with no error text', async (t) => {
  const rig = await startRig(t);
  answerEach([rig]);
  rig.sim.failNext('chat.startStream', { status: 429, error: 'ratelimited', retryAfter: 30 });
  const asked = await askAll(rig.sim, addPeople(rig.sim).slice(0, 3));
  const replies = await answersSeen(rig.sim, asked);
  assertWhole(replies, asked);
  assert.equal(rig.sim.rateLimited().length, 1, 'one refusal, then no start until the minute is over');
  assert.equal(rig.sim.callsTo('chat.startStream').length, 1);
});

test('two replicas on one Redis share the workspace stream starts: never past the tier', async (t) => {
  const env = { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix(), CLAUDE_MAX_CONCURRENT: '10' };
  const a = await startRig(t, { env });
  const b = await startRig(t, { env, sim: a.sim });
  const { sim } = a;
  // A load balancer in front of both: events alternate between the replicas.
  let turn = 0;
  const balanced: HttpTransport = async (_url, r) => {
    const port = turn++ % 2 === 0 ? a.port : b.port;
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers: r.headers,
      body: r.body,
    });
    return { status: res.status, body: await res.text(), ackMs: Date.now() - started };
  };
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${a.port}/slack/events`, transport: balanced });
  answerEach([a, b]);
  const asked = await askAll(sim, addPeople(sim));
  const replies = await answersSeen(sim, asked);
  assertWhole(replies, asked);
  assert.ok(
    a.claude.requests.length > 0 && b.claude.requests.length > 0,
    'both replicas answered some questions',
  );
  assert.ok(sim.rateLimited().length <= 1, `ratelimited: ${JSON.stringify(sim.rateLimited())}`);
});

import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { microsToTs } from '../../sandbox/slack/state.js';
import { requestText, startRig } from '../support/rig.js';
import { waitForReplies } from '../support/visible.js';

/** Most conversations.replies calls for one answer, whatever the thread's length. */
const MAX_READS = 5;
const PEOPLE = ['U0ALICE', 'U0BOB', 'U0CARLA'];
/** About 60 tokens: a thread of thousands is far over the context budget. */
const FILLER = 'the pager fired again, the queue depth is still climbing and the retries keep piling up';

/**
 * An incident thread of `n` replies before the question. `at(i)` gives reply i's time in seconds
 * after the parent (increasing).
 */
function seedThread(sim: SlackSim, n: number, at: (i: number) => number) {
  // The last reply a minute before the question.
  const start = (Date.now() - at(n) * 1000 - 60_000) * 1000;
  const parent = sim.seedMessage({
    channel: 'C0GENERAL',
    user: 'U0DANA',
    text: 'INCIDENT-PARENT: checkout is failing for EU customers',
    ts: microsToTs(start),
  });
  for (let i = 1; i <= n; i++) {
    sim.seedMessage({
      channel: 'C0GENERAL',
      user: PEOPLE[i % PEOPLE.length] as string,
      text: `update-${i}: ${FILLER}`,
      ts: microsToTs(start + Math.round(at(i) * 1e6)),
      thread_ts: parent.ts,
    });
  }
  return parent;
}

async function askAtTheEnd(t: TestContext, n: number, at: (i: number) => number) {
  const { sim, claude } = await startRig(t);
  const parent = seedThread(sim, n, at);
  claude.enqueue({ text: 'Rolling back the EU gateway.' });
  await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    thread_ts: parent.ts,
    text: `<@${sim.botUserId}> QUESTION-AT-END: what should we do now?`,
  });
  await waitForReplies(sim, 'C0GENERAL', parent.ts, 1, 30_000);
  const sent = requestText(claude.requests[0]?.body ?? {});
  const reads = sim.callsTo('conversations.replies').length;
  const updates = [...sent.matchAll(/update-(\d+):/g)].map((m) => Number(m[1]));
  t.diagnostic(
    `${n} replies: ${reads} conversations.replies calls, ${updates.length} replies sent to Claude`,
  );
  console.log(`${n} replies: ${reads} conversations.replies calls, ${updates.length} replies sent to Claude`);
  return { sent, reads, updates };
}

for (const n of [5000, 20_000]) {
  test(`a mention at the end of a ${n}-reply thread sends the parent, the question and the latest replies, in a few reads`, async (t) => {
    const { sent, reads, updates } = await askAtTheEnd(t, n, (i) => i * 30);
    assert.match(sent, /INCIDENT-PARENT/, 'the parent');
    assert.match(sent, /QUESTION-AT-END/, 'the question');
    assert.ok(updates.includes(n) && updates.includes(n - 1), 'the latest replies');
    assert.ok(!updates.includes(1) && !updates.includes(2), 'not the oldest ones');
    assert.ok(updates.length >= 300, `the budget is used: ${updates.length} replies`);
    // The replies sent are the newest run, with nothing missing in it.
    assert.deepEqual(
      updates,
      updates.map((_, k) => n - updates.length + 1 + k),
    );
    const omitted = Number(/\[(\d+) earlier messages omitted\]/.exec(sent)?.[1]);
    assert.equal(omitted, n - updates.length, 'the prompt says how many were left out');
    assert.ok(reads <= MAX_READS, `${reads} conversations.replies calls`);
  });
}

test('a thread whose last replies come in a burst still reaches Claude by its newest end', async (t) => {
  // 4,000 replies over a day, then 3,000 within the last hour.
  const n = 7000;
  const { sent, reads, updates } = await askAtTheEnd(t, n, (i) =>
    i <= 4000 ? i * 20 : 80_000 + (i - 4000) * 1.2,
  );
  assert.match(sent, /INCIDENT-PARENT/);
  assert.match(sent, /QUESTION-AT-END/);
  assert.ok(updates.includes(n), 'the latest reply');
  assert.ok(!updates.includes(1), 'not the oldest one');
  assert.ok(reads <= MAX_READS, `${reads} conversations.replies calls`);
});

test('a thread that went quiet for days before the question still sends its parent and the question', async (t) => {
  // 3,000 replies over a day, then three days of silence.
  const n = 3000;
  const { sent, reads } = await askAtTheEnd(t, n, (i) => (i < n ? i * 30 : 90_000 + 3 * 86_400));
  assert.match(sent, /INCIDENT-PARENT/);
  assert.match(sent, /QUESTION-AT-END/);
  assert.ok(reads <= MAX_READS, `${reads} conversations.replies calls`);
});

test('a thread of just over a page is read whole, oldest replies included', async (t) => {
  const n = 1200;
  const { sent, reads, updates } = await askAtTheEnd(t, n, (i) => i * 30);
  assert.match(sent, /INCIDENT-PARENT/);
  assert.match(sent, /QUESTION-AT-END/);
  assert.ok(updates.includes(n));
  assert.ok(reads <= MAX_READS, `${reads} conversations.replies calls`);
});

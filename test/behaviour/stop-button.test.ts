/** Slack's stop button: the answer stops within a second, Claude's call is aborted, the reply says so. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startReplicas } from '../support/replicas.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { botReplies, mention } from '../support/visible.js';

type Rig = Awaited<ReturnType<typeof startRig>>;

/** A mention whose answer is long and slow (200 words, one every 30 ms); resolves once it streams. */
async function askForLongAnswer({ sim, claude }: Rig) {
  const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
  claude.enqueue({ text: long, chunkSize: 6, chunkDelayMs: 30 });
  const message = await mention(sim, 'go on');
  await sim.waitFor(() => botReplies(sim, 'C0GENERAL', message.ts).find((m) => m.streaming), {
    what: 'the answer streaming',
  });
  return message;
}

/** Presses stop on the thread; resolves with the bot's replies once "(stopped)" shows. */
async function pressStop({ sim }: Rig, threadTs: string) {
  await sim.stopSession('C0GENERAL', threadTs, 'U0ALICE');
  return sim.waitFor(
    () => {
      const r = botReplies(sim, 'C0GENERAL', threadTs);
      return r.some((m) => m.text.includes('(stopped)')) ? r : undefined;
    },
    { what: 'the stopped mark' },
  );
}

test('the stop button stops the answer: Claude aborted, text kept, "(stopped)" shown, not cached, session active', async (t) => {
  const rig = await startRig(t);
  const { sim, claude, bot } = rig;
  const message = await askForLongAnswer(rig);
  const replies = await pressStop(rig, message.ts);
  const shown = replies.map((m) => m.text).join('');
  assert.match(shown, /^word0 /, 'what was written stays');
  assert.ok(!shown.includes('word199'), 'the rest of the answer never came');
  // Claude's stream was aborted: the fake saw its connection closed by the bot before the end.
  await until("Claude's request aborted by the bot", () => claude.requests[0]?.closedByClient === true);
  await sim.waitFor(() => sim.sessions().find((s) => s.threadTs === message.ts && s.status === 'active'), {
    what: 'the session out of processing',
  });
  // Counted once the runner is done with it, a moment after the mark shows.
  await until('the stopped answer counted', async () =>
    /outcome="stopped"/.test(await bot.metrics.registry.getSingleMetricAsString('slackbot_answers_total')),
  );
  // Not cached: the same question asks Claude again.
  claude.enqueue({ text: 'Whole answer.' });
  const again = await sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> go on` });
  await sim.waitFor(
    () =>
      botReplies(sim, 'C0GENERAL', again.message.ts).find((m) => !m.streaming && m.text === 'Whole answer.'),
    {
      what: 'a fresh answer',
    },
  );
  assert.equal(claude.requests.length, 2);
});

test('the stop button reaches the replica writing the answer when Slack sends it to another', async (t) => {
  const { a, b, deliverTo } = await startReplicas(t);
  const message = await askForLongAnswer(a);
  // The click's event goes to replica B, which holds no answer in that thread: A writes the mark.
  deliverTo(b);
  const replies = await pressStop(a, message.ts);
  const shown = replies.map((m) => m.text).join('');
  assert.ok(!shown.includes('word199'), 'the rest of the answer never came');
  await until("A's Claude request aborted", () => a.claude.requests[0]?.closedByClient === true);
  assert.equal(b.claude.requests.length, 0, 'replica B asked Claude nothing');
});

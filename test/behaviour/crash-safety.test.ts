import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { REDIS_URL, uniquePrefix } from '../support/redis.js';
import { botEnv, startFakes } from '../support/rig.js';
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
    async next() {
      const bot = startChild(t, 'test/support/child-bot.ts', {
        ...botEnv(sim, claude),
        CLAIM_LEASE_MS: LEASE_MS,
        FRONT_THREAD: '1',
        ...(socket ? { SLACK_APP_TOKEN: sim.appToken } : {}),
        ...env,
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

async function ask(sim: SlackSim, text: string, threadTs?: string) {
  const m = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> ${text}`,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  return m.message;
}

test('a question whose process dies twice while working on it is not tried a third time: the person is told, once', async (t) => {
  const { sim, claude } = await startFakes(t);
  claude.setResponder(() => ({ hang: true }));
  const bots = processes(t, sim, claude, { REDIS_URL, REDIS_KEY_PREFIX: uniquePrefix() }, false);
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

/**
 * Logs hold no message bodies (LOG_MESSAGE_BODIES off): the real process at LOG_LEVEL=debug, with
 * Bolt's and the Slack SDK's request and response lines, answers a question and a /summarize, and
 * neither the question's words nor the answer's nor the summary's reach its output.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { startChild } from '../support/child.js';
import { botEnv, startFakes } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

const QUESTION = 'flamingoquasar';
const ANSWER = 'zanzibarnebula';
const SUMMARY = 'okapipulsar';

/** Runs src/main.ts at debug with `env`, asks, summarizes, stops it; resolves with all it printed. */
async function logsOfOneQuestion(t: TestContext, env: Record<string, string>, socket = false) {
  const { sim, claude } = await startFakes(t);
  claude.enqueue({ text: `The answer is ${ANSWER}.` }, { text: `In short: ${SUMMARY}.` });
  const bot = startChild(t, 'src/main.ts', {
    ...botEnv(sim, claude),
    ...(socket ? { SLACK_APP_TOKEN: sim.appToken } : {}),
    LOG_LEVEL: 'debug',
    ...env,
  });
  const port = await bot.ready;
  if (socket) await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  else sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  const message = await mention(sim, `what do you know about ${QUESTION}?`);
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.match(reply?.text ?? '', new RegExp(ANSWER), 'the answer was delivered');
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  await sim.waitFor(
    () => sim.ephemerals({ user: 'U0ALICE' }).find((e) => JSON.stringify(e).includes(SUMMARY)),
    {
      what: 'the summary',
    },
  );
  await until('the summary logged', () => /"msg":"summarized"/.test(bot.stdout()));
  bot.child.kill('SIGTERM');
  assert.equal(await bot.exited, 0);
  return bot.output();
}

for (const mode of ['HTTP', 'Socket Mode'] as const) {
  test(`${mode}: at LOG_LEVEL=debug no log line holds a question's, an answer's or a summary's words`, async (t) => {
    const output = await logsOfOneQuestion(t, {}, mode === 'Socket Mode');
    assert.match(
      output,
      /"lib":"bolt".*http request result: \[omitted: LOG_MESSAGE_BODIES\]/,
      'SDK lines stay',
    );
    for (const word of [QUESTION, ANSWER, SUMMARY]) assert.doesNotMatch(output, new RegExp(word), word);
  });
}

test('with LOG_MESSAGE_BODIES=true the same run logs the bodies (so the check above can see them)', async (t) => {
  const output = await logsOfOneQuestion(t, { LOG_MESSAGE_BODIES: 'true' });
  for (const word of [QUESTION, ANSWER]) assert.match(output, new RegExp(word), word);
});

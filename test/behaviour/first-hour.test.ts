/**
 * The README's path, word for word: `cp .env.example .env`, fill in the values the README names,
 * `npm start`, mention the bot. Only the two base URLs (the simulated Slack and the fake Claude
 * API) come from outside the file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type TestContext, test } from 'node:test';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startChild } from '../support/child.js';
import { startFakes, TEST_ANTHROPIC_KEY } from '../support/rig.js';
import { mention, visibleText, waitForReplies } from '../support/visible.js';

const EXAMPLE = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');

/** .env.example with `values` filled in: each replaces its `NAME=` line, commented out or not. */
function filled(values: Record<string, string | null>): string {
  let text = EXAMPLE;
  for (const [name, value] of Object.entries(values)) {
    const line = new RegExp(`^#?\\s*${name}=.*$`, 'm');
    assert.match(text, line, `.env.example has a line for ${name}`);
    text = text.replace(line, value === null ? '' : `${name}=${value}`);
  }
  return text;
}

/** `npm start` from .env.example filled with `values`; only the fakes' base URLs come from outside. */
function startFromExample(
  t: TestContext,
  sim: SlackSim,
  claude: FakeAnthropic,
  values: Record<string, string | null>,
) {
  return startChild(
    t,
    'src/main.ts',
    { SLACK_API_URL: sim.apiUrl, ANTHROPIC_BASE_URL: claude.url, PORT: '0' },
    filled(values),
  );
}

test('Socket Mode from .env.example with the three values the README names: connected and answering', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startFromExample(t, sim, claude, {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_APP_TOKEN: sim.appToken,
    ANTHROPIC_API_KEY: TEST_ANTHROPIC_KEY,
  });
  await bot.ready;
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a Socket Mode connection' });
  claude.enqueue({ text: 'Hello from a fresh .env.' });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'Hello from a fresh .env.');
});

test('HTTP mode from .env.example: SLACK_APP_TOKEN deleted, the signing secret set, as the README says', async (t) => {
  const { sim, claude } = await startFakes(t);
  const bot = startFromExample(t, sim, claude, {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_APP_TOKEN: null,
    SLACK_SIGNING_SECRET: sim.signingSecret,
    ANTHROPIC_API_KEY: TEST_ANTHROPIC_KEY,
  });
  const port = await bot.ready;
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  claude.enqueue({ text: 'Hello over HTTP.' });
  const message = await mention(sim, 'hi');
  const [reply] = await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(visibleText(reply!), 'Hello over HTTP.');
});

test('an untouched .env.example names the first value still to fill in', async (t) => {
  const bot = startChild(t, 'src/main.ts', { PORT: '0' }, EXAMPLE);
  assert.equal(await bot.exited, 1);
  assert.match(bot.stderr(), /SLACK_BOT_TOKEN: still has the placeholder value from \.env\.example/);
});

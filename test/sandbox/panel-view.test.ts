import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { maskedSettings, panelView } from '../../sandbox/page/view.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { parseConfig, SECRET_CONFIG_FIELDS } from '../../src/config/config.js';
import { baseEnv } from '../support/config.js';
import { waitForReplies } from '../support/visible.js';

const MASK = '•••••• (set)';

test('the panel masks what the config schema calls secret, and shows every other setting', () => {
  const settings = new Map(
    maskedSettings(
      parseConfig({
        ...baseEnv,
        SLACK_APP_TOKEN: 'xapp-1-abcdefgh',
        REDIS_URL: 'redis://127.0.0.1:6379',
        CLAUDE_MAX_TOKENS: '1234',
        HTTPS_PROXY: 'http://user:pa55word@proxy:3128',
      }),
    ),
  );
  // Each secret setting names a field the panel lists, and that field is masked.
  for (const field of Object.values(SECRET_CONFIG_FIELDS)) {
    assert.ok(settings.has(field), `${field} is a Config field`);
  }
  assert.equal(settings.get('slack.botToken'), MASK);
  assert.equal(settings.get('slack.appToken'), MASK);
  assert.equal(settings.get('anthropic.apiKey'), MASK);
  assert.equal(settings.get('redisUrl'), MASK, 'REDIS_URL is secret even without a password');
  assert.equal(settings.get('proxy.https'), MASK, 'a value with a password is masked wherever it is');
  // Names that merely look secret are settings like any other.
  assert.equal(settings.get('claude.maxTokens'), '1234');
  assert.match(String(settings.get('claude.userTokensPerDay')), /^\d+$/);
  assert.match(String(settings.get('claude.inputTokensPerMinute')), /^\d+|\(unset\)$/);
});

let sandbox: Sandbox;
before(async () => {
  sandbox = await startSandbox({ env: { LOG_LEVEL: 'silent' }, port: 0 });
});
after(() => sandbox?.close());

test('the panel lists the bot’s Slack calls newest first, streams and ephemeral answers included', async () => {
  const { sim, bot, claude, config } = sandbox;
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> what is the plan for the code freeze?`,
  });
  await waitForReplies(sim, 'C0GENERAL', message.ts, 1, 20_000);
  await sim.slashCommand({ user: 'U0ALICE', channel: 'C0GENERAL', command: '/summarize', text: '' });
  await sim.waitFor(() => sim.ephemerals({ user: 'U0ALICE' }).find((e) => /TL;DR/.test(JSON.stringify(e))), {
    what: 'the summary',
    timeoutMs: 20_000,
  });
  const panel = await panelView(sim, bot, claude, config);
  const methods = panel.slackCalls.map((c) => c.method);
  assert.equal(methods[0], 'response_url', `the summary is the newest call: ${methods.join(', ')}`);
  for (const m of ['chat.startStream', 'chat.appendStream', 'chat.stopStream'])
    assert.ok(methods.includes(m), `${m} in ${methods.join(', ')}`);
  assert.ok(methods.indexOf('response_url') < methods.indexOf('chat.stopStream'), 'newest first');
  const listed = panel.slackCalls.reduce((n, c) => n + c.count, 0);
  assert.equal(panel.slackCallsTotal, sim.calls.length + sim.responses.length);
  assert.ok(listed <= panel.slackCallsTotal);
  const times = panel.slackCalls.map((c) => c.at);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
});

test('with the offline model the panel shows no Anthropic key, as the banner says, not the stand-in as set', async () => {
  const { sim, bot, claude, config } = sandbox;
  assert.equal(claude.mode, 'offline');
  const settings = new Map((await panelView(sim, bot, claude, config)).settings);
  assert.equal(settings.get('anthropic.apiKey'), '(unset: offline model, no ANTHROPIC_API_KEY)');
  // The sandbox runs in multi-workspace mode (two workspaces): its app's client secret is set.
  assert.equal(settings.get('slack.clientSecret'), MASK, 'other secrets stay masked');
});

/** The settings of installs in many workspaces: one line naming the setting for each mistake. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/config.js';
import { baseEnv, configErrorOf } from '../../support/config.js';

const KEY = randomBytes(32).toString('base64');
const multi = {
  SLACK_SIGNING_SECRET: 'secret-for-tests',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  SLACK_CLIENT_ID: '123.456',
  SLACK_CLIENT_SECRET: 'client-secret',
  SLACK_STATE_SECRET: 'state-secret',
  SLACK_INSTALLATION_KEY: KEY,
  STATE_DIR: '/tmp/state',
};

test('multi-workspace mode: client id, secret, state secret and installation key, without a bot token', () => {
  const c = parseConfig(multi);
  assert.equal(c.slack.botToken, undefined);
  assert.equal(c.slack.clientId, '123.456');
  assert.equal(c.slack.installationKey, KEY);
  // 64 hex digits are accepted too, kept as base64.
  const hex = randomBytes(32);
  assert.equal(
    parseConfig({ ...multi, SLACK_INSTALLATION_KEY: hex.toString('hex') }).slack.installationKey,
    hex.toString('base64'),
  );
});

test('each missing or wrong multi-workspace setting is one line naming it', () => {
  const { SLACK_BOT_TOKEN: _, ...noToken } = baseEnv;
  // Word for word as with one workspace only.
  assert.equal(
    configErrorOf(noToken),
    'SLACK_BOT_TOKEN: required (the bot token from OAuth & Permissions, xoxb-…), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for installs in many workspaces',
  );
  assert.match(configErrorOf({ ...multi, SLACK_BOT_TOKEN: 'xoxb-1-abc' }), /^SLACK_BOT_TOKEN: .*not both/);
  for (const name of ['SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_INSTALLATION_KEY'] as const) {
    const { [name]: _gone, ...rest } = multi;
    assert.match(configErrorOf(rest), new RegExp(`^${name}: required with SLACK_CLIENT_ID`));
  }
  assert.match(
    configErrorOf({ ...multi, SLACK_INSTALLATION_KEY: 'too-short' }),
    /^SLACK_INSTALLATION_KEY: expected 32 random bytes as base64/,
  );
  const { STATE_DIR: _dir, ...noStore } = multi;
  assert.match(configErrorOf(noStore), /^SLACK_CLIENT_ID: .*REDIS_URL.*STATE_DIR/);
  assert.match(
    configErrorOf({ ...multi, SLACK_CLIENT_ID: 'abc' }),
    /^SLACK_CLIENT_ID: expected the Client ID/,
  );
});

test('one workspace reads as before', () => {
  const c = parseConfig(baseEnv);
  assert.equal(c.slack.botToken, 'xoxb-1-abc');
  assert.equal(c.slack.clientId, undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig, secretValues } from '../../../src/config/config.js';
import { baseEnv, configErrorOf } from '../../support/config.js';

const base = baseEnv;
const errorOf = configErrorOf;

test('allow-lists, APP_ENV and the proxy are off by default', () => {
  const c = parseConfig(base);
  assert.equal(c.appEnv, 'production');
  assert.deepEqual(c.access, { teamIds: [], channelIds: [], userIds: [], excludeExternal: false });
  assert.deepEqual(c.proxy, { https: undefined, http: undefined, noProxy: undefined });
});

test('allow-lists are comma-separated Slack ids; anything else is a one-line error naming the variable', () => {
  const c = parseConfig({
    ...base,
    ALLOWED_TEAM_IDS: 'T0A, T0B',
    ALLOWED_CHANNEL_IDS: 'C0GENERAL,G0PRIVATE,',
    ALLOWED_USER_IDS: ' U0ALICE ',
    EXCLUDE_EXTERNAL_CHANNELS: 'true',
  });
  assert.deepEqual(c.access, {
    teamIds: ['T0A', 'T0B'],
    channelIds: ['C0GENERAL', 'G0PRIVATE'],
    userIds: ['U0ALICE'],
    excludeExternal: true,
  });
  assert.match(
    errorOf({ ...base, ALLOWED_CHANNEL_IDS: '#general' }),
    /^ALLOWED_CHANNEL_IDS: expected Slack channel ids/,
  );
  assert.match(errorOf({ ...base, ALLOWED_USER_IDS: 'alice' }), /^ALLOWED_USER_IDS: /);
  assert.match(
    errorOf({ ...base, EXCLUDE_EXTERNAL_CHANNELS: 'maybe' }),
    /^EXCLUDE_EXTERNAL_CHANNELS: expected true or false/,
  );
});

test('production refuses LOG_LEVEL=trace (it logs request bodies); development allows it', () => {
  assert.match(
    errorOf({ ...base, LOG_LEVEL: 'trace' }),
    /^LOG_LEVEL: trace logs request bodies .*APP_ENV=production/,
  );
  assert.match(errorOf({ ...base, APP_ENV: 'production', LOG_LEVEL: 'trace' }), /^LOG_LEVEL: /);
  assert.equal(parseConfig({ ...base, APP_ENV: 'development', LOG_LEVEL: 'trace' }).logLevel, 'trace');
  assert.equal(parseConfig({ ...base, LOG_LEVEL: 'debug' }).logLevel, 'debug');
  assert.match(errorOf({ ...base, APP_ENV: 'staging' }), /^APP_ENV: expected development or production/);
});

test('proxy settings: upper or lower case, URL checked, credentials treated as a secret', () => {
  const c = parseConfig({
    ...base,
    https_proxy: 'http://user:pa55word@proxy.corp:3128',
    NO_PROXY: 'localhost,.corp',
  });
  assert.deepEqual(c.proxy, {
    https: 'http://user:pa55word@proxy.corp:3128',
    http: undefined,
    noProxy: 'localhost,.corp',
  });
  assert.ok(secretValues(c).includes('http://user:pa55word@proxy.corp:3128'), 'scrubbed from logs');
  assert.equal(
    parseConfig({ ...base, HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2' }).proxy.https,
    'http://a:1',
  );
  assert.match(
    errorOf({ ...base, HTTPS_PROXY: 'proxy.corp:3128' }),
    /^HTTPS_PROXY: expected http:\/\/host:port/,
  );
  assert.match(errorOf({ ...base, HTTP_PROXY: 'socks5://proxy:1080' }), /^HTTP_PROXY: /);
});

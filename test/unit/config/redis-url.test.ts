import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../src/config/config.js';
import { parseRedisUrl } from '../../../src/config/redis-url.js';

test('REDIS_URL: one server, a Sentinel-managed primary or a cluster', () => {
  assert.deepEqual(parseRedisUrl('redis://:pw@db:6379/2'), { kind: 'single', url: 'redis://:pw@db:6379/2' });
  assert.deepEqual(parseRedisUrl('redis+sentinel://:s%40cret@s1:26379,s2/mymaster/3'), {
    kind: 'sentinel',
    sentinels: [
      { host: 's1', port: 26379 },
      { host: 's2', port: 26379 },
    ],
    name: 'mymaster',
    db: 3,
    tls: false,
    password: 's@cret',
  });
  assert.deepEqual(parseRedisUrl('rediss+cluster://n1:7000,n2:7001'), {
    kind: 'cluster',
    nodes: [
      { host: 'n1', port: 7000 },
      { host: 'n2', port: 7001 },
    ],
    tls: true,
  });
});

test('REDIS_URL: a malformed value stops start-up with one line naming the forms', () => {
  const base = { SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's', ANTHROPIC_API_KEY: 'sk-ant-x' };
  for (const [value, says] of [
    ['http://db:6379', /expected redis:\/\/host:port, rediss:\/\/…, redis\+sentinel:/],
    ['redis+sentinel://s1:26379', /needs the primary's name/],
    ['redis+cluster://n1:7000/0', /takes no \/path/],
    ['redis+cluster://n1:port', /is not host:port/],
  ] as const) {
    assert.throws(
      () => parseConfig({ ...base, REDIS_URL: value }),
      (err: Error) =>
        says.test(err.message) && err.message.includes('REDIS_URL') && !err.message.includes('\n'),
      value,
    );
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'dotenv';
import { parseConfig } from '../../../src/config/config.js';
import { configHint, cutDotenvValues } from '../../../src/config/env-file.js';
import { baseEnv, configErrorOf } from '../../support/config.js';

/** The environment main.ts has after dotenv loaded `text` into an empty one. */
const loaded = (text: string) => ({ ...parse(text) });

test('a channel name in .env, cut to nothing by dotenv, is refused with the fix', () => {
  const text = 'ALLOWED_CHANNEL_IDS=#general\n';
  assert.equal(loaded(text).ALLOWED_CHANNEL_IDS, '', 'dotenv reads it as empty');
  assert.deepEqual(cutDotenvValues(text, loaded(text)), [
    'ALLOWED_CHANNEL_IDS: in .env its value is cut at "#", which starts a comment there; quote it or use the channel id (C012ABC), not its name',
  ]);
});

test('a value cut in the middle is refused without showing it; `export` and other settings too', () => {
  const text = 'export REDIS_URL=redis://:pa#ss@redis:6379\nALLOWED_USER_IDS=U012ABC,#x\n';
  const problems = cutDotenvValues(text, loaded(text));
  assert.equal(problems.length, 2);
  assert.match(
    problems[0] ?? '',
    /^REDIS_URL: in \.env its value is cut at "#".*quote it \(REDIS_URL="…"\)$/,
  );
  assert.doesNotMatch(problems.join('\n'), /pa#ss|ss@redis/, 'the value is never shown');
  assert.match(problems[1] ?? '', /^ALLOWED_USER_IDS: /);
});

test('comments meant as comments, quoted values, unknown names and values the environment overrides pass', () => {
  const text = [
    'PORT=3000 # the port',
    'OPS_PORT= # later',
    '# ALLOWED_CHANNEL_IDS=#general',
    'ALLOWED_TEAM_IDS="#quoted"',
    "SYSTEM_PROMPT='#1 rule'",
    'MY_OWN=#thing',
    'ALLOWED_CHANNEL_IDS=#general',
  ].join('\n');
  assert.deepEqual(cutDotenvValues(text, { ...loaded(text), ALLOWED_CHANNEL_IDS: 'C012ABC' }), []);
});

test('an allow-list given with no id in it is an error, never "no restriction"; unset still means everyone', () => {
  assert.match(
    configErrorOf({ ...baseEnv, ALLOWED_CHANNEL_IDS: ' , ' }),
    /^ALLOWED_CHANNEL_IDS: expected Slack channel ids separated by commas \(C012ABC,G034DEF\), got none$/m,
  );
  assert.deepEqual(parseConfig({ ...baseEnv, ALLOWED_CHANNEL_IDS: '' }).access.channelIds, []);
  assert.deepEqual(parseConfig({ ...baseEnv, ALLOWED_CHANNEL_IDS: 'C1, C2' }).access.channelIds, [
    'C1',
    'C2',
  ]);
});

test('the hint after configuration errors: the sandbox from a clone, docker -e and secret files in the image', () => {
  assert.match(configHint({}), /\.env\.example.*npm run sandbox/);
  const image = configHint({ SLACK_CLAUDE_BOT_IMAGE: '1' });
  assert.match(image, /docker run -e NAME=value/);
  assert.match(image, /NAME_FILE=\/run\/secrets\//);
  assert.doesNotMatch(image, /\.env\.example|npm run sandbox/);
});

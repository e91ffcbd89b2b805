import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/config.js';
import { baseEnv, configErrorOf } from '../../support/config.js';

const base = baseEnv;
const errorOf = configErrorOf;

test('defaults follow the documented contract', () => {
  const c = parseConfig(base);
  assert.equal(c.claude.maxConcurrent, 5);
  assert.equal(c.cacheTtlSeconds, 600);
  assert.equal(c.port, 3000);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.slack.apiUrl, 'https://slack.com/api/');
  assert.equal(c.slack.appToken, undefined);
  assert.equal(c.bot.answerThreadFollowups, false);
});

test('a missing required setting names the variable', () => {
  assert.match(errorOf({ ...base, SLACK_BOT_TOKEN: undefined }), /^SLACK_BOT_TOKEN: required/);
  assert.match(errorOf({ ...base, ANTHROPIC_API_KEY: '' }), /^ANTHROPIC_API_KEY: required/);
  assert.match(
    errorOf({ ...base, SLACK_SIGNING_SECRET: undefined }),
    /^SLACK_SIGNING_SECRET: required in HTTP mode/,
  );
});

test('malformed values say what is expected', () => {
  assert.match(
    errorOf({ ...base, CLAUDE_MAX_TOKENS: 'lots' }),
    /^CLAUDE_MAX_TOKENS: expected a whole number/,
  );
  assert.match(errorOf({ ...base, PORT: '70000' }), /^PORT: expected a whole number from 0 to 65535/);
  assert.match(
    errorOf({ ...base, SLACK_BOT_TOKEN: 'xoxp-user' }),
    /^SLACK_BOT_TOKEN: expected a value starting with "xoxb-"/,
  );
  assert.match(errorOf({ ...base, REDIS_URL: 'localhost:6379' }), /^REDIS_URL: expected redis:\/\//);
  assert.match(
    errorOf({ ...base, ANSWER_THREAD_FOLLOWUPS: 'maybe' }),
    /^ANSWER_THREAD_FOLLOWUPS: expected true or false/,
  );
  assert.match(errorOf({ ...base, LOG_LEVEL: 'loud' }), /^LOG_LEVEL:/);
});

test('placeholders from .env.example are refused', () => {
  assert.match(errorOf({ ...base, SLACK_BOT_TOKEN: 'xoxb-your-bot-token' }), /placeholder/);
  assert.match(errorOf({ ...base, ANTHROPIC_API_KEY: 'sk-ant-your-key' }), /placeholder/);
  assert.match(errorOf({ ...base, SLACK_SIGNING_SECRET: 'your-signing-secret' }), /placeholder/);
});

test('Socket Mode needs no signing secret', () => {
  const c = parseConfig({ ...base, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-abc' });
  assert.equal(c.slack.appToken, 'xapp-1-abc');
});

test('secrets can come from *_FILE, and an unreadable file is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'key');
  writeFileSync(file, 'sk-ant-from-file\n');
  assert.equal(
    parseConfig({ ...base, ANTHROPIC_API_KEY: undefined, ANTHROPIC_API_KEY_FILE: file }).anthropic.apiKey,
    'sk-ant-from-file',
  );
  assert.match(
    errorOf({ ...base, SLACK_BOT_TOKEN_FILE: join(dir, 'missing') }),
    /^SLACK_BOT_TOKEN_FILE: cannot read .* \(ENOENT\)/,
  );
  const prompt = join(dir, 'prompt.txt');
  writeFileSync(prompt, 'You are Ferris.');
  assert.equal(parseConfig({ ...base, SYSTEM_PROMPT_FILE: prompt }).bot.systemPrompt, 'You are Ferris.');
});

test('every bad setting is reported at once, one line each in the order of the docs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  try {
    parseConfig({
      SLACK_BOT_TOKEN_FILE: join(dir, 'missing'),
      ANTHROPIC_API_KEY: 'sk-ant-test',
      REDIS_URL: 'localhost:6379',
      FILES_PER_QUESTION: '50',
      CLAUDE_MAX_TOKENS: 'lots',
    });
    assert.fail('expected a configuration error');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(
      err.problems.map((p) => p.split(':')[0]),
      [
        'SLACK_BOT_TOKEN_FILE',
        'SLACK_SIGNING_SECRET',
        'CLAUDE_MAX_TOKENS',
        'FILES_PER_QUESTION',
        'REDIS_URL',
      ],
    );
    assert.equal(err.message, err.problems.join('\n'));
  }
});

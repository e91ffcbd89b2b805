import assert from 'node:assert/strict';
import { test } from 'node:test';
import { costOf, DEFAULT_PRICES, priceOf, WEB_SEARCH_USD } from '../../../src/claude/prices.js';
import { ConfigError, parseConfig } from '../../../src/config/config.js';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-2',
  SLACK_SIGNING_SECRET: 'secret',
  ANTHROPIC_API_KEY: 'sk-ant-abc',
};

test('CLAUDE_PRICES overrides a model’s price; other models use their family’s list price', () => {
  const c = parseConfig({ ...base, CLAUDE_PRICES: 'my-model=2:10, claude-opus-5-5=4:20:0.5:6' });
  const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 0, cacheWriteTokens: 0 };
  assert.equal(costOf(usage, priceOf('my-model', c.claude.prices)), 2 + 1);
  assert.deepEqual(priceOf('claude-opus-5-5', c.claude.prices), {
    input: 4,
    output: 20,
    cacheRead: 0.5,
    cacheWrite: 6,
  });
  assert.equal(priceOf('claude-haiku-5-5', c.claude.prices), DEFAULT_PRICES.haiku);
  const cached = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 };
  assert.equal(costOf(cached, priceOf('claude-sonnet-5-5', {})), 0.3 + 3.75);
  assert.equal(costOf(usage, priceOf('unknown-model', {})), 0, 'no estimate without a price');
});

test('a malformed CLAUDE_PRICES or ADMIN_USER_IDS stops start-up with one line naming it', () => {
  assert.throws(
    () => parseConfig({ ...base, CLAUDE_PRICES: 'claude-sonnet-5-5=3' }),
    (e: Error) => e instanceof ConfigError && /^CLAUDE_PRICES: expected model=input:output/.test(e.message),
  );
  assert.throws(
    () => parseConfig({ ...base, ADMIN_USER_IDS: 'alice@example.com' }),
    (e: Error) => e instanceof ConfigError && e.message.startsWith('ADMIN_USER_IDS: expected Slack user ids'),
  );
  assert.deepEqual(parseConfig({ ...base, ADMIN_USER_IDS: 'U1, U2' }).bot.adminUserIds, ['U1', 'U2']);
});

test('each web search adds its per-search price to the estimate', () => {
  const usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const p = priceOf('claude-sonnet-5-5', {});
  assert.equal(costOf({ ...usage, webSearches: 3 }, p), 3 * WEB_SEARCH_USD);
  assert.equal(costOf(usage, p), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchSavingOf, costOf, priceOf, WEB_SEARCH_USD } from '../../../src/claude/prices.js';
import { ConfigError, parseConfig } from '../../../src/config/config.js';

const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-2',
  SLACK_SIGNING_SECRET: 'secret',
  ANTHROPIC_API_KEY: 'sk-ant-abc',
};

test('CLAUDE_PRICES overrides a model’s price; other models use their row of the model table', () => {
  const c = parseConfig({ ...base, CLAUDE_PRICES: 'my-model=2:10, claude-opus-5-5=4:20:0.5:6' });
  const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 0, cacheWriteTokens: 0 };
  assert.equal(costOf(usage, priceOf('my-model', c.claude.prices)), 2 + 1);
  assert.deepEqual(priceOf('claude-opus-5-5', c.claude.prices), {
    input: 4,
    output: 20,
    cacheRead: 0.5,
    cacheWrite: 6,
  });
  assert.equal(priceOf('claude-haiku-5-5', c.claude.prices)?.input, 0.1);
  const cached = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 1_000_000 };
  // Sonnet 5.5: cache reads $0.10 (since 2026-10-07), 5-minute writes 1.25 × $2.
  assert.equal(costOf(cached, priceOf('claude-sonnet-5-5', {})), 0.1 + 2.5);
  // An id the table does not name is priced by its family word, as before.
  assert.equal(costOf(usage, priceOf('claude-3-5-sonnet-20241022', {})), 3 + 1.5);
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

test('current models cost what Anthropic lists', () => {
  const million = {
    inputTokens: 1_000_000,
    outputTokens: 1_000_000,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);
  close(costOf(million, priceOf('claude-opus-5-5', {})), 4 + 20, 'Opus 5.5');
  close(costOf(million, priceOf('claude-sonnet-5-5', {})), 2 + 10, 'Sonnet 5.5');
  close(costOf(million, priceOf('claude-haiku-4-5', {})), 1 + 5, 'Haiku 4.5');
  close(costOf(million, priceOf('claude-fable-5-1', {})), 10 + 50, 'Fable 5.1');
});

test('a Haiku 5.5 prompt over 100,000 tokens is priced whole at the long-prompt rate', () => {
  const p = priceOf('claude-haiku-5-5', {});
  const call = (input: number, cacheRead = 0) => ({
    inputTokens: input,
    outputTokens: 1000,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: 0,
  });
  const close = (a: number, b: number, what: string) =>
    assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);
  close(costOf(call(90_000), p), (90_000 * 0.1 + 1000 * 0.5) / 1e6, '90,000 prompt tokens: short rate');
  close(
    costOf(call(150_000), p),
    (150_000 * 0.5 + 1000 * 2.5) / 1e6,
    '150,000: every token at the long rate',
  );
  close(costOf(call(100_000), p), (100_000 * 0.1 + 1000 * 0.5) / 1e6, 'exactly 100,000: still short');
  // Cache reads count toward the prompt, and are priced at the long rate too.
  close(costOf(call(10_000, 95_000), p), (10_000 * 0.5 + 95_000 * 0.05 + 1000 * 2.5) / 1e6, 'cached prompt');
  // An answer of two calls (a paused search continued) is judged by its largest call, not the sum.
  const twoCalls = { ...call(120_000), largestPromptTokens: 60_000 };
  close(costOf(twoCalls, p), (120_000 * 0.1 + 1000 * 0.5) / 1e6, 'two calls of 60,000');
  // A CLAUDE_PRICES entry is one rate, whatever the length.
  close(costOf(call(150_000), { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 }), 0.151, 'override');
});

test('a batched call costs half (input and output); its saving is the other half', () => {
  const p = priceOf('claude-sonnet-5-5', {});
  const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const full = costOf(usage, p);
  assert.ok(full > 0);
  assert.equal(costOf({ ...usage, batch: true }, p), full / 2);
  assert.equal(batchSavingOf({ ...usage, batch: true }, p), full / 2);
  assert.equal(batchSavingOf(usage, p), 0);
});

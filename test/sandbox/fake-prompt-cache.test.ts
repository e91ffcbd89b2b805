import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakePromptCache } from '../../sandbox/claude/fake-prompt-cache.js';
import type { MessagesRequestBody } from '../../sandbox/claude/offline-model.js';

const cached = { type: 'ephemeral' } as const;
const SYSTEM = [{ type: 'text', text: 's'.repeat(400), cache_control: cached }];
const long = (c: string) => c.repeat(4000);

/** A thread's request: the turns so far, a breakpoint on the one before the question. */
function thread(turns: string[], system = SYSTEM, model = 'claude-x'): MessagesRequestBody {
  return {
    model,
    max_tokens: 100,
    system,
    messages: turns.map((text, i) => ({
      role: i % 2 ? 'assistant' : 'user',
      content: [{ type: 'text', text, ...(i === turns.length - 2 ? { cache_control: cached } : {}) }],
    })),
  };
}

test('a thread writes its prefix once it is long enough, and the next turn reads it', () => {
  const cache = new FakePromptCache(0.25, 1024);
  const first = cache.account(thread([long('a')]));
  assert.deepEqual(first, { input: 1100, cacheRead: 0, cacheWrite: 0 }, 'the system alone is too short');
  const second = cache.account(thread([long('a'), long('b'), 'q2']));
  assert.deepEqual(second, { input: 1, cacheRead: 0, cacheWrite: 2100 });
  const third = cache.account(thread([long('a'), long('b'), 'q2', long('c'), 'q3']));
  assert.deepEqual(third, { input: 0, cacheRead: 2100, cacheWrite: 1001 }, 'read through the lookback');
});

test('a different system prompt, model or earlier turn is a miss; cache_control itself is not content', () => {
  const cache = new FakePromptCache(0.25, 1024);
  cache.account(thread([long('a'), long('b'), 'q2']));
  const other = [{ type: 'text', text: 'o'.repeat(400), cache_control: cached }];
  assert.equal(cache.account(thread([long('a'), long('b'), 'q2'], other)).cacheRead, 0, 'system');
  assert.equal(cache.account(thread([long('a'), long('b'), 'q2'], SYSTEM, 'claude-y')).cacheRead, 0);
  assert.equal(cache.account(thread([long('A'), long('b'), 'q2'])).cacheRead, 0, 'an earlier turn');
  assert.equal(cache.account(thread([long('a'), long('b'), 'other question'])).cacheRead, 2100);
});

test('entries expire five minutes after their last use', () => {
  let now = 0;
  const cache = new FakePromptCache(0.25, 1024, () => now);
  cache.account(thread([long('a'), long('b'), 'q2']));
  now += 4 * 60_000;
  assert.equal(
    cache.account(thread([long('a'), long('b'), 'q3'])).cacheRead,
    2100,
    'used: kept 5 more minutes',
  );
  now += 4 * 60_000;
  assert.equal(cache.account(thread([long('a'), long('b'), 'q4'])).cacheRead, 2100);
  now += 6 * 60_000;
  assert.equal(cache.account(thread([long('a'), long('b'), 'q5'])).cacheRead, 0);
});

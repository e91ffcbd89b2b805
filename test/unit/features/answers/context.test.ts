import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConversationMessage } from '../../../../src/claude/prompt.js';
import { estimateTokens } from '../../../../src/claude/tokens.js';
import { MessageTooLongError, trimToBudget } from '../../../../src/features/answers/context.js';

const msg = (i: number, text = `message number ${i} `.repeat(20)): ConversationMessage => ({
  ts: `1700000000.${String(i).padStart(6, '0')}`,
  author: `Person ${i % 7}`,
  fromBot: false,
  text,
});

test('a 500-message thread is trimmed to the budget, keeping the first and the latest messages', () => {
  const thread = Array.from({ length: 500 }, (_, i) => msg(i));
  const r = trimToBudget(thread, 20_000);
  assert.ok(r.tokens <= 20_000);
  assert.ok(r.messages.length < 500 && r.messages.length > 10);
  assert.equal(r.messages[0]?.ts, thread[0]?.ts, 'first message kept');
  assert.equal(r.messages.at(-1)?.ts, thread[499]?.ts, 'latest message kept');
  assert.equal(r.omitted, 500 - r.messages.length);
  // The kept tail is contiguous: the most recent messages.
  const tail = r.messages.slice(1).map((m) => m.ts);
  assert.deepEqual(
    tail,
    thread.slice(500 - tail.length).map((m) => m.ts),
  );
});

test('a short thread is kept whole', () => {
  const thread = [msg(1), msg(2), msg(3)];
  assert.deepEqual(trimToBudget(thread, 100_000), {
    messages: thread,
    omitted: 0,
    tokens: trimToBudget(thread, 100_000).tokens,
  });
});

test('a single message larger than the budget is an error that says so', () => {
  assert.throws(() => trimToBudget([msg(1, 'x'.repeat(40_000))], 1000), MessageTooLongError);
});

test('token estimate is conservative for Latin and CJK text', () => {
  assert.ok(estimateTokens('hello world, this is a test') >= 7);
  assert.ok(estimateTokens('日本語のテキストです') >= 10);
});

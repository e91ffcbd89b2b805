import assert from 'node:assert/strict';
import { test } from 'node:test';
import Keyv from 'keyv';
import { FeedbackBook } from '../../../../src/features/feedback/index.js';

test('a vote changed on a later day is taken back from the day and profile it was counted in', async () => {
  let now = new Date('2026-12-01T12:00:00Z');
  const book = new FeedbackBook(new Keyv(), () => now);
  const first = await book.count('up', undefined, 'support');
  await book.count('up', undefined, '__proto__');
  now = new Date('2026-12-02T12:00:00Z');
  await book.count('down', first, 'support');
  const week = await book.week();
  assert.deepEqual([week.up, week.down], [1, 1]);
  assert.deepEqual(week.profiles.get('support'), { up: 0, down: 1 });
  assert.deepEqual(week.profiles.get('__proto__'), { up: 1, down: 0 }, 'any profile name is just a name');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WebClient } from '@slack/web-api';
import { MEMORY_CLAIMS_MAX, MemoryClaims } from '../../../src/limits/claims.js';
import { USAGE_FIELDS_MAX, UsageBook } from '../../../src/limits/usage.js';
import { UserDirectory } from '../../../src/slack/read/directory.js';

/** What one process keeps in memory stays bounded however many distinct keys Slack sends. */

test('in-memory claims: bounded; a flood of events drops the oldest claim, never a recent one', async () => {
  const claims = new MemoryClaims(1000);
  for (let i = 0; i < 5000; i++) assert.equal(await claims.claim(`ev${i}`, 60_000), true);
  assert.equal(claims.size, 1000);
  assert.equal(await claims.claim('ev4999', 60_000), false, 'a recent event is still a duplicate');
  assert.equal(await claims.claim('ev0', 60_000), true, 'the oldest was dropped');
  assert.ok(new MemoryClaims().size === 0 && MEMORY_CLAIMS_MAX >= 100_000);
});

test('people cache: bounded and expiring, counted in users.info calls', async () => {
  let calls = 0;
  const client = {
    users: {
      info: async ({ user }: { user: string }) => {
        calls++;
        return { ok: true, user: { name: user.toLowerCase() } };
      },
    },
  } as unknown as Pick<WebClient, 'users'>;
  const directory = new UserDirectory(client, 60 * 60 * 1000, 100);
  for (let i = 0; i < 1000; i++) await directory.name(`U${i}`);
  assert.equal(calls, 1000);
  await directory.name('U999');
  assert.equal(calls, 1000, 'a recent person is cached');
  await directory.name('U0');
  assert.equal(calls, 1001, 'the oldest was dropped');
});

test('in-memory usage book: bounded per day; the latest people are kept', async () => {
  const book = new UsageBook();
  const at = new Date('2026-12-04T12:00:00Z');
  const people = USAGE_FIELDS_MAX / 2; // four counters each, and their channel's four
  for (let i = 0; i < people; i++)
    await book.record({ at, channel: 'C1', user: `U${i}`, usage: undefined, costUsd: 0 });
  const day = await book.read(at);
  assert.ok(day.users.size < USAGE_FIELDS_MAX / 4, `${day.users.size} people kept`);
  assert.ok(day.users.has(`U${people - 1}`), 'the latest person is counted');
  assert.equal(day.channels.get('C1')?.requests, people, 'an active channel keeps its count');
  // Days roll off: only today and yesterday are kept.
  for (let d = 1; d <= 5; d++)
    await book.record({
      at: new Date(at.getTime() + d * 86_400_000),
      channel: 'C1',
      user: 'U1',
      usage: undefined,
      costUsd: 0,
    });
  assert.equal((await book.read(at)).users.size, 0);
});

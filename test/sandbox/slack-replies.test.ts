import assert from 'node:assert/strict';
import { test } from 'node:test';
import { microsToTs } from '../../sandbox/slack/state.js';
import { startSimClient } from '../support/sim-client.js';

/** A thread of 2,500 replies, one a second: reply i at parent + i seconds. */
async function longThread(t: { after: (fn: () => Promise<void>) => void }) {
  const { sim, client } = await startSimClient(t);
  const start = 1_700_000_000 * 1e6;
  const parent = sim.seedMessage({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'p', ts: microsToTs(start) });
  for (let i = 1; i <= 2500; i++) {
    const ts = microsToTs(start + i * 1e6);
    sim.seedMessage({ channel: 'C0GENERAL', user: 'U0BOB', text: `r${i}`, ts, thread_ts: parent.ts });
  }
  const at = (i: number) => microsToTs(start + i * 1e6);
  return { client, parent, at };
}

test('conversations.replies: oldest first, at most 1,000 a page with the parent repeated on every page', async (t) => {
  const { client, parent } = await longThread(t);
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const r = await client.conversations.replies({
      channel: 'C0GENERAL',
      ts: parent.ts,
      limit: 5000,
      cursor,
    });
    pages.push((r.messages ?? []).map((m) => m.text ?? ''));
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor);
  assert.deepEqual(
    pages.map((p) => p.length),
    [1000, 1000, 503],
  );
  for (const p of pages) assert.equal(p[0], 'p', 'the parent heads every page');
  assert.deepEqual(pages[0]?.slice(1, 3), ['r1', 'r2']);
  assert.equal(pages[2]?.at(-1), 'r2500');
  const head = await client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts, limit: 1 });
  assert.equal(head.messages?.[0]?.reply_count, 2500);
  assert.equal(
    head.messages?.[0]?.latest_reply,
    parent.ts.replace(/^\d+/, (s) => String(Number(s) + 2500)),
  );
});

test('conversations.replies: oldest / latest select a window, inclusive or not', async (t) => {
  const { client, parent, at } = await longThread(t);
  const texts = async (args: Record<string, unknown>) =>
    (await client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts, ...args })).messages?.map(
      (m) => m.text,
    );
  assert.deepEqual(await texts({ oldest: at(2000), latest: at(2003) }), ['p', 'r2001', 'r2002']);
  assert.deepEqual(await texts({ oldest: at(2000), latest: at(2003), inclusive: true }), [
    'p',
    'r2000',
    'r2001',
    'r2002',
    'r2003',
  ]);
  const window = await client.conversations.replies({
    channel: 'C0GENERAL',
    ts: parent.ts,
    oldest: at(1000),
  });
  assert.equal(window.has_more, true, 'a window larger than a page pages on');
  assert.equal(window.messages?.[1]?.text, 'r1001', 'from its oldest end');
});

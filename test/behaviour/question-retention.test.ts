import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import type { FakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { startPrivateRedis } from '../support/redis.js';
import { requestText, startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

/**
 * Two questions, each with a marker of its own: the first waits on Claude throughout, the second
 * is answered meanwhile, so the store still holds a question (and Redis the stream node both
 * were written to) when the answered one is done with.
 */
async function answeredAndWaiting(sim: SlackSim, claude: FakeAnthropic) {
  const answered = `answered-${randomUUID()}`;
  const waiting = `waiting-${randomUUID()}`;
  claude.setResponder((req) =>
    requestText(req.body).includes(waiting) ? { hang: true } : { text: 'Noted, thank you.' },
  );
  await mention(sim, `first ${waiting}`);
  await claude.waitForRequests(1);
  const second = await mention(sim, `please note ${answered}`);
  await waitForReplies(sim, 'C0GENERAL', second.ts);
  return { answered, waiting };
}

test('with Redis, an answered question’s text is gone from every key the bot keeps, while a waiting one is still there', async (t) => {
  // A Redis of its own: its DUMPs are left uncompressed, so a marker shows as it was written.
  const server = await startPrivateRedis();
  t.after(() => server.down());
  const redis = new Redis(server.url);
  t.after(() => redis.disconnect());
  await redis.config('SET', 'rdbcompression', 'no');
  const { sim, claude } = await startRig(t, { env: { REDIS_URL: server.url } });
  const { answered, waiting } = await answeredAndWaiting(sim, claude);
  // DUMP is what Redis itself holds of a key (and writes to its snapshots), entries deleted from
  // a stream's node included.
  const holding = async (marker: string) => {
    const found: string[] = [];
    for (const key of await redis.keys('*'))
      if ((await redis.dumpBuffer(key))?.includes(marker)) found.push(key);
    return found;
  };
  // Gone once the answer is complete, a moment after it shows in Slack.
  await until('the answered question gone from Redis', async () => (await holding(answered)).length === 0);
  assert.ok((await holding(waiting)).length > 0, 'the waiting question is kept');
});

test('with STATE_DIR, an answered question’s text is in neither the journal nor its WAL, while a waiting one is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'state-'));
  const { sim, claude } = await startRig(t, { env: { STATE_DIR: dir } });
  const { answered, waiting } = await answeredAndWaiting(sim, claude);
  const files = ['questions.sqlite', 'questions.sqlite-wal'].map((f) => join(dir, f));
  const holding = (marker: string) =>
    files
      .filter((f) => existsSync(f) && readFileSync(f).includes(marker))
      .map((f) => f.slice(dir.length + 1));
  await until('the answered question gone from the disk', () => holding(answered).length === 0);
  assert.ok(holding(waiting).length > 0, 'the waiting question is kept');
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Keyv from 'keyv';
import { FeedbackBook } from '../../../src/features/feedback/index.js';
import { FileRoutineBook, forgetRoutinesOf, RedisRoutineBook } from '../../../src/features/routines/book.js';
import { createLogger } from '../../../src/platform/logger.js';
import { TeamData } from '../../../src/platform/team-data.js';
import { scratchRedis } from '../../support/redis.js';

const log = createLogger({ level: 'silent', secrets: [] });
const record = { handled: 1, coveredTo: 1, canvas: { id: 'F0CANVAS', channel: 'C0DIGEST', sections: [] } };

test('uninstalling a workspace deletes its feedback reasons and votes, and takes them off the admins’ list', async () => {
  const store = new Keyv();
  const book = new FeedbackBook(store);
  const data = new TeamData({ prefix: '', store, log });
  data.onForget('feedback-reasons', ({ teamId }) => book.reasons.forgetTeam(teamId));
  for (const team of ['T0ACME', 'T0BETA'])
    await book.reasons.keep({
      team,
      ref: `Ev${team}`,
      profile: 'default',
      channel: 'C1',
      user: 'U1',
      reason: 'wrong',
      text: 'secret words',
    });

  await data.forget({ teamId: 'T0ACME' });

  assert.equal(await book.reasons.of('EvT0ACME', 'U1', 'T0ACME'), undefined, 'its reason is gone');
  assert.deepEqual(
    (await book.recentReasons()).map((r) => r.team),
    ['T0BETA'],
    'the admins’ list keeps only the other workspace',
  );
  assert.equal((await book.reasons.of('EvT0BETA', 'U1', 'T0BETA'))?.text, 'secret words');
});

test('uninstalling a workspace deletes its routines’ records (Redis and STATE_DIR), not another’s', async (t) => {
  const { redis, prefix } = scratchRedis(t);
  const dir = mkdtempSync(join(tmpdir(), 'routines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const routines = [
    { name: 'acme-digest', team: 'T0ACME' },
    { name: 'beta-digest', team: 'T0BETA' },
    { name: 'home-digest' },
  ];
  for (const book of [new RedisRoutineBook(redis, prefix), new FileRoutineBook(dir)]) {
    for (const r of routines) await book.put(r.name, record);
    assert.equal(await forgetRoutinesOf('T0ACME', routines, book, undefined), 1);
    assert.equal(await book.get('acme-digest'), undefined);
    assert.ok(await book.get('beta-digest'));
    assert.ok(
      await book.get('home-digest'),
      'a routine without team: belongs to no installed workspace here',
    );
    // The bot's own workspace (single-workspace mode) owns the routines without team:.
    assert.equal(await forgetRoutinesOf('T0HOME', routines, book, 'T0HOME'), 1);
    assert.equal(await book.get('home-digest'), undefined);
  }
  assert.doesNotMatch(readFileSync(join(dir, 'routines.json'), 'utf8'), /acme-digest|home-digest/);
  assert.deepEqual(await redis.keys(`${prefix}*acme*`), []);
});

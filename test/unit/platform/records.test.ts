/**
 * The one record store of routines, batched calls and channel memory (platform/records.ts), and
 * that records an earlier version wrote (Redis keys, STATE_DIR files) read the same after it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { FileFacts } from '../../../src/features/memory/facts.js';
import { FileRoutineBook, RedisRoutineBook } from '../../../src/features/routines/book.js';
import { FileBatchBook, RedisBatchBook } from '../../../src/limits/batched-calls.js';
import { UnreadableFile } from '../../../src/platform/json-file.js';
import { createLogger } from '../../../src/platform/logger.js';
import { JsonFileRecords, MemoryRecords } from '../../../src/platform/records.js';
import { scratchRedis } from '../../support/redis.js';

const log = createLogger({ level: 'silent', secrets: [] });

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'records-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a JSON file of records: one object by key, replaced whole, copies in and out', async (t) => {
  const dir = tempDir(t);
  const records = new JsonFileRecords<{ n: number }>(dir, 'things.json');
  assert.equal(await records.get('a'), undefined, 'no file yet: no records');
  await records.put('a', { n: 1 });
  await records.put('b', { n: 2 });
  const got = await records.get('a');
  assert.deepEqual(got, { n: 1 });
  if (got) got.n = 99;
  assert.deepEqual(await records.get('a'), { n: 1 }, 'a change to what was read is not kept');
  await records.delete('a');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'things.json'), 'utf8')), { b: { n: 2 } });
  assert.equal(existsSync(join(dir, 'things.json.tmp')), false, 'written aside, then renamed');
  assert.deepEqual(
    await new JsonFileRecords(dir, 'things.json').get('b'),
    { n: 2 },
    'read by the next process',
  );

  const memory = new MemoryRecords<{ n: number }>();
  const kept = { n: 1 };
  await memory.put('a', kept);
  kept.n = 2;
  assert.deepEqual(await memory.get('a'), { n: 1 }, 'memory keeps a copy');
});

test('an unreadable file fails every call, naming it, is read again at each call, and is never written over', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'bad.json');
  const named = (e: unknown) => e instanceof UnreadableFile && e.file === file;
  const records = new JsonFileRecords<{ n: number }>(dir, 'bad.json', {
    valid: (all) => Object.values(all).every((v) => typeof (v as { n?: unknown }).n === 'number'),
    mode: 0o600,
  });
  for (const text of ['{not json', '[1, 2]', '{"a": {"n": "one"}}']) {
    writeFileSync(file, text);
    await assert.rejects(records.get('a'), named, text);
    await assert.rejects(records.put('a', { n: 1 }), named, text);
    assert.equal(readFileSync(file, 'utf8'), text, 'nothing written over');
  }
  writeFileSync(file, '{"a": {"n": 1}}');
  assert.deepEqual(await records.get('a'), { n: 1 }, 'mended: read at the next call');
  await records.put('b', { n: 2 });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { a: { n: 1 }, b: { n: 2 } });
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('routine records written before the shared store are read from Redis and routines.json', async (t) => {
  const dir = tempDir(t);
  const { redis, prefix } = scratchRedis(t);
  const old = {
    handled: 1700000000000,
    coveredTo: 1700000000000,
    canvas: { id: 'F1', channel: 'C1', sections: ['s1'] },
  };
  await redis.set(`${prefix}routine-record:morning`, JSON.stringify(old));
  writeFileSync(
    join(dir, 'routines.json'),
    JSON.stringify({ morning: old, evening: { handled: 5, coveredTo: 4 } }),
  );

  const inRedis = new RedisRoutineBook(redis, prefix);
  assert.deepEqual(await inRedis.get('morning'), old);
  await inRedis.put('evening', { handled: 7, coveredTo: 6 });
  assert.deepEqual(JSON.parse((await redis.get(`${prefix}routine-record:evening`)) ?? ''), {
    handled: 7,
    coveredTo: 6,
  });
  assert.equal(await redis.pttl(`${prefix}routine-record:evening`), -1, 'kept without expiry, as before');

  const inFile = new FileRoutineBook(dir);
  assert.deepEqual(await inFile.get('morning'), old);
  assert.deepEqual(await inFile.get('evening'), { handled: 5, coveredTo: 4 });
  await inFile.put('evening', { handled: 7, coveredTo: 6 });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'routines.json'), 'utf8')), {
    morning: old,
    evening: { handled: 7, coveredTo: 6 },
  });
});

test('batch ids written before the shared store are read from Redis and batches.json; expired ones are not', async (t) => {
  const dir = tempDir(t);
  const { redis, prefix } = scratchRedis(t);
  const now = Date.now();
  const fresh = { batchId: 'msgbatch_1', customId: 'r_abc', submittedAt: now - 60_000 };
  const stale = { batchId: 'msgbatch_0', customId: 'r_old', submittedAt: now - 4 * 24 * 3600_000 };
  await redis.set(`${prefix}batch:T1:abc`, JSON.stringify(fresh), 'PX', 60_000);
  writeFileSync(join(dir, 'batches.json'), JSON.stringify({ 'T1:abc': fresh, 'T1:old': stale }));

  const inRedis = new RedisBatchBook(redis, prefix);
  assert.deepEqual(await inRedis.get('T1:abc'), fresh);
  await inRedis.put('T1:new', fresh);
  const ttl = await redis.pttl(`${prefix}batch:T1:new`);
  assert.ok(ttl > 2 * 24 * 3600_000 && ttl <= 3 * 24 * 3600_000, `kept three days (${ttl} ms)`);

  const inFile = new FileBatchBook(dir, () => now);
  assert.deepEqual(await inFile.get('T1:abc'), fresh);
  assert.equal(await inFile.get('T1:old'), undefined, 'older than three days');
  await inFile.delete('T1:abc');
  assert.deepEqual(
    JSON.parse(readFileSync(join(dir, 'batches.json'), 'utf8')),
    {},
    'the expired one goes too',
  );
});

test('channel facts written before the shared store are read from channel-memory.json, kept in its layout', async (t) => {
  const dir = tempDir(t);
  const fact = (text: string) => ({ text, by: 'U1', at: '2026-01-02' });
  writeFileSync(
    join(dir, 'channel-memory.json'),
    JSON.stringify({
      T1: { C1: [fact('deploys are on Tuesdays')], C2: [fact('the wiki moved')] },
      T2: { C9: [fact('x')] },
    }),
  );
  const facts = new FileFacts(dir, log);
  assert.deepEqual(await facts.list('T1', 'C1'), [fact('deploys are on Tuesdays')]);
  assert.deepEqual((await facts.channels('T1')).sort(), ['C1', 'C2']);
  await facts.update('T1', 'C1', (all) => [...all, fact('standup at 10')]);
  await facts.update('T2', 'C9', () => []);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'channel-memory.json'), 'utf8')), {
    T1: { C2: [fact('the wiki moved')], C1: [fact('deploys are on Tuesdays'), fact('standup at 10')] },
  });
  assert.deepEqual(await new FileFacts(dir, log).list('T1', 'C1'), [
    fact('deploys are on Tuesdays'),
    fact('standup at 10'),
  ]);
  assert.equal(statSync(join(dir, 'channel-memory.json')).mode & 0o777, 0o600, 'people’s words: 0600');
});

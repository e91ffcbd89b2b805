import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { BatchState } from '../../../src/claude/batches.js';
import type { ClaudeRequest, ClaudeResult } from '../../../src/claude/client.js';
import { ClaudeError } from '../../../src/claude/errors.js';
import {
  BATCH_GIVE_UP_MS,
  BatchedCalls,
  type BatchedCallsOptions,
  batchKey,
  FileBatchBook,
  MemoryBatchBook,
} from '../../../src/limits/batched-calls.js';
import { createLogger } from '../../../src/platform/logger.js';

const log = createLogger({ level: 'silent' });
const scope = { teamId: 'T1', channelId: 'C1' };
const req = (text: string): ClaudeRequest => ({
  model: 'claude-sonnet-5-5',
  maxTokens: 100,
  system: [],
  messages: [{ role: 'user', content: text }],
});
const ok: ClaudeResult = {
  text: 'done',
  stopReason: 'end_turn',
  usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, batch: true },
  requestId: 'msg_1',
  attempts: 1,
};

/**
 * A batch client whose batches end after `polls` polls, or are where `state` says (told the poll's
 * number, from 1, and the batch's id); `result` answers what the test says.
 */
function fakeClient(
  polls: number,
  result: () => ClaudeResult | Error = () => ok,
  state?: (n: number, id: string) => BatchState,
) {
  const calls = { submit: 0, state: 0, result: 0 };
  let seq = 0;
  return {
    calls,
    client: {
      async submit() {
        calls.submit++;
        return `b${++seq}`;
      },
      async state(id: string) {
        calls.state++;
        if (state) return state(calls.state, id);
        return calls.state >= polls ? ('ended' as const) : ('in_progress' as const);
      },
      async result() {
        calls.result++;
        const r = result();
        if (r instanceof Error) throw r;
        return r;
      },
    },
  };
}

/** Batched calls over `client` that poll every millisecond or two (a book in memory unless given). */
const batched = (client: BatchedCallsOptions['client'], opts: Partial<BatchedCallsOptions> = {}) =>
  new BatchedCalls({
    client,
    book: new MemoryBatchBook(),
    log,
    pollMs: 1,
    maxPollMs: 2,
    maxPollFailures: 3,
    ...opts,
  });

test('batched calls: submitted once, polled until ended, the same request later finds its batch instead of submitting', async () => {
  const { client, calls } = fakeClient(3);
  const events: string[] = [];
  const book = new MemoryBatchBook();
  const calls1 = batched(client, { book, maxPollMs: 4, onEvent: (e) => events.push(e) });
  const r = await calls1.ask(scope, req('a'));
  assert.equal(r.text, 'done');
  assert.deepEqual(calls, { submit: 1, state: 3, result: 1 });
  // Another process (same book): the same request resumes, a new one is submitted.
  const calls2 = batched(client, { book, maxPollMs: 4, onEvent: (e) => events.push(e) });
  await calls2.ask(scope, req('a'));
  assert.equal(calls.submit, 1);
  await calls2.ask(scope, req('b'));
  assert.equal(calls.submit, 2);
  assert.deepEqual(events, ['submitted', 'succeeded', 'resumed', 'succeeded', 'submitted', 'succeeded']);
  assert.notEqual(batchKey(scope, req('a')), batchKey({ ...scope, teamId: 'T2' }, req('a')), 'per workspace');
});

test('an expired or canceled request is forgotten, so asking again submits it anew; an abort stops the wait', async () => {
  let expired = true;
  const { client, calls } = fakeClient(1, () => (expired ? new ClaudeError('unavailable', 'expired') : ok));
  const dir = mkdtempSync(path.join(tmpdir(), 'batches-'));
  try {
    const book = new FileBatchBook(dir);
    const calls1 = batched(client, { book });
    await assert.rejects(calls1.ask(scope, req('x')), (e: unknown) => e instanceof ClaudeError);
    assert.equal(await book.get(batchKey(scope, req('x'))), undefined);
    expired = false;
    await calls1.ask(scope, req('x'));
    assert.equal(calls.submit, 2);
    // Kept in STATE_DIR: a new book over the same folder finds it.
    assert.ok(await new FileBatchBook(dir).get(batchKey(scope, req('x'))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const slow = fakeClient(1_000_000);
  const stop = new AbortController();
  const waiting = batched(slow.client).ask(scope, req('y'), stop.signal);
  stop.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
});

test('polls that keep failing (a revoked key) give the batch up after maxPollFailures in a row: its id is forgotten and asking again submits anew', async () => {
  let failing = true;
  const events: string[] = [];
  const fake = fakeClient(
    0,
    () => ok,
    (poll) => {
      // One poll answers in between: the count of failures in a row starts again.
      if (poll === 2) return 'in_progress';
      if (failing) throw new ClaudeError('auth', 'Claude rejected the API key');
      return 'ended';
    },
  );
  const book = new MemoryBatchBook();
  const calls = batched(fake.client, { book, onEvent: (e) => events.push(e) });
  await assert.rejects(
    calls.ask(scope, req('p')),
    (e: unknown) => e instanceof ClaudeError && e.kind === 'auth',
  );
  assert.equal(fake.calls.state, 5, 'one failure, one answer, then three failures in a row');
  assert.equal(await book.get(batchKey(scope, req('p'))), undefined, 'the batch id is forgotten');
  failing = false;
  assert.equal((await calls.ask(scope, req('p'))).text, 'done');
  assert.equal(fake.calls.submit, 2, 'submitted anew');
  assert.deepEqual(events, ['submitted', 'given_up', 'submitted', 'succeeded']);
});

test('a batch polled fine but not ended 25 hours after its submission is given up; a 404 (gone) is forgotten too', async () => {
  let t = Date.parse('2026-12-01T00:00:00Z');
  const { client } = fakeClient(
    0,
    () => ok,
    (_poll, id) => {
      if (id === 'gone') throw new ClaudeError('invalid_request', 'not found');
      t += 3600_000;
      return 'in_progress';
    },
  );
  const book = new MemoryBatchBook();
  const calls = batched(client, { book, maxPollMs: 1, now: () => t });
  const started = t;
  await assert.rejects(
    calls.ask(scope, req('slow')),
    (e: unknown) => e instanceof ClaudeError && e.kind === 'unavailable',
  );
  assert.equal(t - started, BATCH_GIVE_UP_MS, 'waited until the bound, not past it');
  assert.equal(await book.get(batchKey(scope, req('slow'))), undefined);
  await book.put(batchKey(scope, req('gone')), { batchId: 'gone', customId: 'r_x', submittedAt: t });
  await assert.rejects(calls.ask(scope, req('gone')), /not found/);
  assert.equal(await book.get(batchKey(scope, req('gone'))), undefined);
});

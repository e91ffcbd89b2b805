/**
 * Claude calls that can wait, through the Message Batches API: each call is submitted once (its
 * batch id kept durably under a key of the request), polled with backoff until the batch ends, and
 * its result read. A process that restarts between submit and result asks the same request again
 * (a routine's slot is run again), finds the pending batch by that key and polls it instead of
 * submitting twice: the answer is paid for once and delivered once (delivery is the caller's, run
 * once per slot). Kept in Redis with REDIS_URL (shared by replicas), in STATE_DIR/batches.json
 * without it, else in memory (a restart then submits again).
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchClient, BatchState } from '../claude/batches.js';
import type { ClaudeRequest, ClaudeResult } from '../claude/client.js';
import { ClaudeError } from '../claude/errors.js';
import type { Logger } from '../platform/logger.js';
import { JsonFileRecords, MemoryRecords, type Records, RedisJsonRecords } from '../platform/records.js';
import type { RedisClient } from '../platform/redis.js';

/** A batched call on its way: which batch, which request in it. */
export interface BatchRecord {
  batchId: string;
  customId: string;
  /** ms since the epoch. */
  submittedAt: number;
}

/**
 * How long a record is kept: a batch ends within 24 hours and Anthropic keeps its results 29 days;
 * three days covers a run taken up again after a long outage.
 */
const RECORD_TTL_MS = 3 * 24 * 3600_000;

/**
 * How long after its submission a batch is waited for at most: Anthropic ends every batch within
 * 24 hours (what is not done by then expires), so one not seen ended an hour after that is given
 * up, whether its polls answer or fail.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/batch-processing
 */
export const BATCH_GIVE_UP_MS = 25 * 3600_000;

/** Where batched calls' records are kept (`platform/records.ts`). */
export type BatchBook = Records<BatchRecord>;

export class MemoryBatchBook extends MemoryRecords<BatchRecord> {}

/** One key a request (`<prefix>batch:<key>`), expiring after RECORD_TTL_MS. */
export class RedisBatchBook extends RedisJsonRecords<BatchRecord> {
  constructor(redis: RedisClient, prefix: string) {
    super(redis, `${prefix}batch:`, RECORD_TTL_MS);
  }
}

/** One process with STATE_DIR: batches.json; records older than RECORD_TTL_MS are dropped. */
export class FileBatchBook extends JsonFileRecords<BatchRecord> {
  constructor(dir: string, now: () => number = Date.now) {
    super(dir, 'batches.json', { keep: (r) => now() - r.submittedAt < RECORD_TTL_MS });
  }
}

/** What happened to a batched call, for metrics and logs. */
export type BatchEvent = 'submitted' | 'resumed' | 'succeeded' | 'failed' | 'given_up';

export interface BatchedCallsOptions {
  client: Pick<BatchClient, 'submit' | 'state' | 'result'>;
  book: BatchBook;
  log: Logger;
  /** First wait between polls; doubled each time up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  /**
   * Polls failing in a row (a revoked key answering 401, an API answering 500) after which the
   * batch is given up (BATCH_POLL_MAX_FAILURES). A poll that answers starts the count again.
   */
  maxPollFailures: number;
  /** Longest wait for a batch after its submission; default BATCH_GIVE_UP_MS. */
  giveUpMs?: number;
  now?: () => number;
  onEvent?(event: BatchEvent, model: string): void;
}

/** The key of a request: the same request (scope, model, prompt, settings) finds the same batch. */
export function batchKey(scope: { teamId: string; channelId: string }, req: ClaudeRequest): string {
  const { inputTokens: _estimate, mcpServers: _servers, ...what } = req;
  const hash = createHash('sha256')
    .update(JSON.stringify([scope.teamId, scope.channelId, what]))
    .digest('base64url');
  return `${scope.teamId}:${hash.slice(0, 43)}`;
}

export class BatchedCalls {
  constructor(private readonly opts: BatchedCallsOptions) {}

  /**
   * One Claude call through a batch: submitted unless a batch for this request is already on its
   * way, polled until it ends (or `signal` aborts: the batch goes on, and the next ask of the same
   * request picks it up), then its result. Throws ClaudeError; a request that expired or was
   * canceled is forgotten, so asking again submits it anew. So is a batch given up: polled
   * `maxPollFailures` times in a row without an answer, or not ended `giveUpMs` after its
   * submission (the caller's failure path tells and retries; a retry submits anew).
   */
  async ask(
    scope: { teamId: string; channelId: string },
    req: ClaudeRequest,
    signal?: AbortSignal,
  ): Promise<ClaudeResult> {
    const { client, book, log, onEvent } = this.opts;
    const now = this.opts.now ?? Date.now;
    const key = batchKey(scope, req);
    let record = await book.get(key);
    if (record) {
      onEvent?.('resumed', req.model);
      log.info({ batch: record.batchId, key }, 'batched call resumed: its batch was submitted before');
    } else {
      const customId = `r_${key.split(':')[1]?.slice(0, 40) ?? 'x'}`;
      const batchId = await client.submit(customId, req);
      record = { batchId, customId, submittedAt: now() };
      onEvent?.('submitted', req.model);
      log.info({ batch: batchId, key }, 'batched call submitted');
      // Kept before the wait: a process that dies now finds it when the work is asked again.
      await book.put(key, record).catch((err) => log.warn({ err, batch: batchId }, 'batch id not kept'));
    }
    try {
      await this.untilEnded(record, signal);
    } catch (err) {
      if (!(err instanceof GaveUp)) throw err;
      onEvent?.('given_up', req.model);
      log.error(
        { err: { message: err.cause.message, kind: err.cause.kind }, batch: record.batchId, key },
        `batched call given up: ${err.message}; its batch id is forgotten`,
      );
      // Forgotten: the next ask of this request (the routine's retry) submits it anew.
      await book.delete(key).catch(() => {});
      throw err.cause;
    }
    try {
      const result = await client.result(record.batchId, record.customId, req.model);
      onEvent?.('succeeded', req.model);
      return result;
    } catch (err) {
      onEvent?.('failed', req.model);
      if (err instanceof ClaudeError && err.kind === 'unavailable') await book.delete(key).catch(() => {});
      throw err;
    }
  }

  /** Polls with backoff until the batch ends; throws GaveUp at either bound. */
  private async untilEnded(record: BatchRecord, signal?: AbortSignal): Promise<void> {
    const { batchId } = record;
    const now = this.opts.now ?? Date.now;
    const giveUpAt = record.submittedAt + (this.opts.giveUpMs ?? BATCH_GIVE_UP_MS);
    let wait = this.opts.pollMs;
    let failures = 0;
    for (;;) {
      signal?.throwIfAborted();
      let state: BatchState | undefined;
      let failed: ClaudeError | undefined;
      try {
        state = await this.opts.client.state(batchId);
        failures = 0;
      } catch (err) {
        // A failed poll is tried again at the next one; a batch that is gone (404) is not.
        if (err instanceof ClaudeError && err.kind === 'invalid_request')
          throw new GaveUp('the batch is gone', err);
        failed = err instanceof ClaudeError ? err : new ClaudeError('unavailable', String(err));
        failures++;
        this.opts.log.info({ err, batch: batchId, failures }, 'batch poll failed; polling again');
      }
      if (state === 'ended') return;
      signal?.throwIfAborted();
      if (failed && failures >= this.opts.maxPollFailures)
        throw new GaveUp(`${failures} polls in a row failed`, failed);
      if (now() >= giveUpAt)
        throw new GaveUp(
          'not ended within the time Anthropic takes at most',
          failed ?? new ClaudeError('unavailable', `batch ${batchId} did not end in time`),
        );
      await sleep(wait, undefined, signal ? { signal } : {}).catch(() => signal?.throwIfAborted());
      wait = Math.min(this.opts.maxPollMs, wait * 2);
    }
  }
}

/** A batch no longer waited for; `cause` is what the caller throws. */
class GaveUp extends Error {
  constructor(
    message: string,
    override readonly cause: ClaudeError,
  ) {
    super(message);
  }
}

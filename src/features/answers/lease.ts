import type { WebClient } from '@slack/web-api';
import type { ClaimStore } from '../../limits/claims.js';
import type { JobStore } from '../../limits/durable-jobs.js';
import type { Logger } from '../../platform/logger.js';

/** After an answer, redeliveries of its event stay dropped for this long (Slack retries within minutes). */
export const CLAIM_KEEP_MS = 6 * 60 * 60 * 1000;

/**
 * How this replica holds a question while it waits and is answered: a claim on the event
 * (without Redis, or while Redis is away), or a durable job another replica takes over if this
 * one dies (with Redis).
 */
export interface Lease {
  /** Keeps the question; false once another replica took it over (stop writing at once). */
  renew(): Promise<boolean>;
  /** Answered, or told why not. */
  complete(): Promise<void>;
  /** Nothing could be written to Slack: a redelivery of the event may try again. */
  release(): Promise<void>;
  /** Shutdown before its turn: back to the shared stream, for another replica (durable jobs only). */
  handBack?(): Promise<void>;
  /** A message was written for it (its ts). */
  wrote?(ts: string): void;
  /** Messages the previous holder wrote (a job taken over): this answer replaces them. */
  previous?: string[];
}

/** The claim on the event: the lease of a question that is not durable. */
export function claimLease(claims: ClaimStore, key: string, leaseMs: number): Lease {
  return {
    renew: async () => {
      await claims.extend(key, leaseMs).catch(() => {});
      return true;
    },
    complete: () => claims.complete(key, CLAIM_KEEP_MS),
    release: () => claims.release(key),
  };
}

/**
 * A durable job held by this replica. While Redis is away, renewal cannot tell who owns the job:
 * the answer goes on (answering is better than dropping), and is logged.
 */
export function jobLease(
  jobs: JobStore,
  id: string,
  release: () => Promise<void>,
  log: Logger,
  previous?: string[],
): Lease {
  let writes = Promise.resolve();
  return {
    previous,
    renew: () =>
      jobs.renew(id).catch((err) => {
        log.debug({ err, job: id }, 'job lease not renewed (redis unavailable)');
        return true;
      }),
    complete: async () => {
      await writes;
      await jobs.done(id).catch((err) => log.warn({ err, job: id }, 'answered job not acknowledged'));
    },
    release: async () => {
      await jobs.done(id).catch(() => {});
      await release();
    },
    handBack: () => jobs.handBack(id).catch((err) => log.warn({ err, job: id }, 'job not handed back')),
    wrote: (ts) => {
      writes = writes.then(() => jobs.wrote(id, ts)).catch(() => {});
    },
  };
}

/**
 * Removes what a replica that died wrote for a question (a stream it left open, a placeholder, a
 * part of the answer): the answer written now replaces it, so the thread shows one.
 */
export async function removeMessages(client: WebClient, channel: string, ts: string[], log: Logger) {
  for (const t of ts) {
    await client.chat.stopStream({ channel, ts: t }).catch(() => {});
    await client.chat
      .delete({ channel, ts: t })
      .catch((err) =>
        log.warn({ err: { message: err.message }, ts: t }, 'could not remove a partial answer'),
      );
  }
}

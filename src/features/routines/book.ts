import { JsonFileRecords, MemoryRecords, type Records, RedisJsonRecords } from '../../platform/records.js';
import type { RedisClient } from '../../platform/redis.js';

/**
 * What is kept of a routine between runs, durably: with REDIS_URL in Redis (shared by replicas),
 * with STATE_DIR in a file, else in memory (one process, lost on restart).
 */
export interface RoutineRecord {
  /** The latest slot dealt with (run, given up or skipped), ms since the epoch. */
  handled: number;
  /** Where the last digest's window ended (ms): the next one reads from here. */
  coveredTo: number;
  /**
   * The latest slot's run failed: retried with backoff. `notified`: the target channel was told;
   * it is told once until a run succeeds again.
   */
  failing?: { slot: number; attempts: number; retryAt: number; notified: boolean };
  /**
   * Set before a digest is posted or added: a run that finds it (its holder died) looks in the
   * channel or canvas for that digest before writing it, so it is never written twice.
   */
  writing?: number;
  /** The routine's canvas (as: canvas) and the channel it is tabbed in. */
  canvas?: { id: string; channel: string; sections: string[] };
}

/**
 * Where routines' records are kept (`platform/records.ts`): `get` throws when the store cannot
 * answer (the routine waits for the next tick); `put` throws when the record could not be kept
 * (nothing is written to Slack after a failed put); `delete` when its workspace uninstalled the app.
 */
export type RoutineBook = Records<RoutineRecord>;

export class MemoryRoutineBook extends MemoryRecords<RoutineRecord> {}

/** Shared by every replica; a routine's record is one key (JSON), apart from the claims' keys. */
export class RedisRoutineBook extends RedisJsonRecords<RoutineRecord> {
  constructor(redis: RedisClient, prefix: string) {
    super(redis, `${prefix}routine-record:`);
  }
}

/** One process with STATE_DIR: routines.json. */
export class FileRoutineBook extends JsonFileRecords<RoutineRecord> {
  constructor(dir: string) {
    super(dir, 'routines.json');
  }
}

/**
 * Deletes the records of the routines that run in `teamId` (their `team:`, or the bot's own
 * workspace for those without one): what uninstalling keeps of routines is gone with it.
 */
export async function forgetRoutinesOf(
  teamId: string,
  routines: readonly { name: string; team?: string }[],
  book: RoutineBook,
  homeTeam: string | undefined,
): Promise<number> {
  let n = 0;
  for (const r of routines) {
    if ((r.team ?? homeTeam) !== teamId) continue;
    await book.delete(r.name);
    n++;
  }
  return n;
}

import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '../../platform/json-file.js';
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

export interface RoutineBook {
  /** Throws when the store cannot answer: the routine waits for the next tick. */
  get(name: string): Promise<RoutineRecord | undefined>;
  /** Throws when the record could not be kept: nothing is written to Slack after a failed put. */
  put(name: string, record: RoutineRecord): Promise<void>;
  /** Deletes the routine's record (its workspace uninstalled the app). */
  forget(name: string): Promise<void>;
}

export class MemoryRoutineBook implements RoutineBook {
  private readonly records = new Map<string, RoutineRecord>();
  async get(name: string) {
    const r = this.records.get(name);
    return r && structuredClone(r);
  }
  async put(name: string, record: RoutineRecord) {
    this.records.set(name, structuredClone(record));
  }
  async forget(name: string) {
    this.records.delete(name);
  }
}

/** Shared by every replica; a routine's record is one key (JSON), apart from the claims' keys. */
export class RedisRoutineBook implements RoutineBook {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}
  async get(name: string) {
    const text = await this.redis.get(`${this.prefix}routine-record:${name}`);
    return text ? (JSON.parse(text) as RoutineRecord) : undefined;
  }
  async put(name: string, record: RoutineRecord) {
    await this.redis.set(`${this.prefix}routine-record:${name}`, JSON.stringify(record));
  }
  async forget(name: string) {
    await this.redis.del(`${this.prefix}routine-record:${name}`);
  }
}

/** One process with STATE_DIR: routines.json, replaced whole (written aside, then renamed). */
export class FileRoutineBook implements RoutineBook {
  private readonly file: string;
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'routines.json');
  }
  /** Throws UnreadableFile (naming the file) rather than taking a damaged file for an empty one. */
  private all(): Record<string, RoutineRecord> {
    return (readJsonFile(this.file) ?? {}) as Record<string, RoutineRecord>;
  }
  async get(name: string) {
    return this.all()[name];
  }
  async put(name: string, record: RoutineRecord) {
    this.write({ ...this.all(), [name]: record });
  }
  async forget(name: string) {
    const { [name]: _gone, ...rest } = this.all();
    this.write(rest);
  }
  private write(all: Record<string, RoutineRecord>) {
    writeFileSync(`${this.file}.tmp`, JSON.stringify(all));
    renameSync(`${this.file}.tmp`, this.file);
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
    await book.forget(r.name);
    n++;
  }
  return n;
}

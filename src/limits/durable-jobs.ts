import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { redisReady } from '../platform/redis.js';

/**
 * Durable questions across replicas: a Redis Stream with one consumer group. Each accepted
 * question is an entry, delivered at once to the replica that received it (its pending list is
 * the lease); the replica renews it while the question waits or is answered, and acknowledges
 * and deletes it when done. An entry whose lease lapses (its replica died) is taken by another
 * replica with XAUTOCLAIM, or by the same one after a restart.
 *
 * Why Streams: consumer groups keep, per entry, the owner and the time since it last touched it,
 * and XAUTOCLAIM hands idle entries over atomically, so no protocol of our own decides who owns
 * what (BullMQ would do the same with stalled-job checks, but adds a dependency and a second
 * Redis connection per replica). The dedupe claim of the event (the same `claim:` key the
 * claims use) is set in the same script as the entry, so a Slack redelivery never makes a
 * second job. Bottleneck's limits and the waiting room are unchanged: a job is run through them
 * by whichever replica holds it.
 * @see https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups
 */

/**
 * Sets the claim, adds the entry and delivers it to this consumer, in one step. The question
 * itself goes in a key of its own, named after the entry: a stream entry removed with XDEL stays
 * in the stream's memory (and in RDB snapshots) until every entry of its node is gone, whereas a
 * deleted key is gone at once.
 */
const ACCEPT = `
if not redis.call('SET', KEYS[1], 'job', 'PX', ARGV[1], 'NX') then return false end
pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], ARGV[2], '$', 'MKSTREAM')
local id = redis.call('XADD', KEYS[2], '*', 'claim', KEYS[1])
redis.call('SET', ARGV[5] .. id, ARGV[4], 'PX', ARGV[1])
-- Nothing is kept for ever: the stream goes once no question came for as long as a claim is kept.
redis.call('PEXPIRE', KEYS[2], ARGV[1])
for _ = 1, 100 do
  local got = redis.call('XREADGROUP', 'GROUP', ARGV[2], ARGV[3], 'COUNT', 1, 'STREAMS', KEYS[2], '>')
  if not got or got[1][2][1][1] == id then break end
end
return id`;

/** Resets the lease's idle time, only while this consumer still owns the entry. */
const RENEW = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1`;

/** Done: off the pending list and out of the stream; its question and record of messages go too. */
const DONE = `
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2], KEYS[3])
return 1`;

/**
 * Gives the entry back, idle as if its lease had long lapsed; its delivery count is put back to
 * what it was before this replica took it, since a question handed back was never worked on.
 */
const HAND_BACK = `
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
local count = math.max(0, tonumber(p[1][4]) - 1)
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'IDLE', ARGV[4], 'RETRYCOUNT', count, 'JUSTID')
return 1`;

/** One job held by this replica. */
export interface HeldJob {
  id: string;
  payload: string;
  /** When it was accepted (the entry id's time), ms since the epoch. */
  acceptedAt: number;
}

/** A job taken over from a replica that stopped renewing it. */
export interface TakenJob extends HeldJob {
  /** Messages the previous holder wrote for it (their ts), oldest first. */
  written: string[];
  /**
   * How many times a holder has started on it, this one included: more than one means the ones
   * before died (or failed) before finishing it. A job handed back on shutdown is not counted.
   */
  attempts: number;
}

/** Messages written for one job: enough to find and replace them (a handful per answer). */
export const MAX_WRITTEN = 50;

/**
 * Where acknowledged questions are kept until answered: the Redis stream shared by replicas
 * (DurableJobs), or one process's journal on disk (LocalJobs, STATE_DIR).
 */
export interface JobStore {
  /** Without renewal for this long, a job is another holder's to take. */
  readonly leaseMs: number;
  /** A new job can be made durable now. */
  readonly available: boolean;
  accept(claimKey: string, payload: string, keepMs: number): Promise<HeldJob | 'duplicate'>;
  renew(id: string): Promise<boolean>;
  wrote(id: string, ts: string): Promise<void>;
  done(id: string): Promise<void>;
  handBack(id: string): Promise<void>;
  takeOver(count: number): Promise<TakenJob[]>;
  oldestAgeMs(): Promise<number>;
  prepare(): Promise<void>;
  /** Deletes every job asked in a workspace (the app was uninstalled there); returns how many. */
  forgetTeam(teamId: string): Promise<number>;
}

/** Whether a job's payload was asked in `teamId` (its place's team). */
export function askedIn(payload: string, teamId: string): boolean {
  try {
    return (JSON.parse(payload) as { place?: { teamId?: unknown } }).place?.teamId === teamId;
  } catch {
    return false;
  }
}

export class DurableJobs implements JobStore {
  readonly consumer = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private readonly stream: string;
  private readonly group = 'answers';
  /** Jobs this process works on: never taken over by itself (after a long pause of its own). */
  private readonly held = new Set<string>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** Without renewal for this long, a job is another replica's to take. */
    readonly leaseMs: number,
  ) {
    this.stream = `${prefix}jobs`;
  }

  /** Redis answers now: a new job can be made durable. */
  get available(): boolean {
    return redisReady(this.redis);
  }

  /**
   * Makes the job durable and this replica its holder. `duplicate` when the claim exists (a
   * redelivery); throws when Redis cannot take it (the caller answers it without durability).
   */
  async accept(claimKey: string, payload: string, keepMs: number): Promise<HeldJob | 'duplicate'> {
    const id = (await this.redis.eval(
      ACCEPT,
      2,
      this.prefix + claimKey,
      this.stream,
      keepMs,
      this.group,
      this.consumer,
      payload,
      this.textKey(''),
    )) as string | null;
    if (!id) return 'duplicate';
    this.held.add(id);
    return { id, payload, acceptedAt: timeOf(id) };
  }

  /** Keeps the lease; false once another replica owns the job. Throws when Redis is away. */
  async renew(id: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.stream, this.group, this.consumer, id)) === 1;
  }

  /** Records a message written for the job, so a replica taking it over can replace it. */
  async wrote(id: string, ts: string): Promise<void> {
    const key = this.writtenKey(id);
    await this.redis.multi().rpush(key, ts).ltrim(key, -MAX_WRITTEN, -1).pexpire(key, 86_400_000).exec();
  }

  /** The job is answered (or told why not): nobody takes it over. */
  async done(id: string): Promise<void> {
    this.held.delete(id);
    await this.redis.eval(DONE, 3, this.stream, this.writtenKey(id), this.textKey(id), this.group, id);
  }

  /** Gives the job back at once (shutdown before its turn): the next sweep of any replica takes it. */
  async handBack(id: string): Promise<void> {
    this.held.delete(id);
    await this.redis.eval(HAND_BACK, 1, this.stream, this.group, this.consumer, id, this.leaseMs * 10);
  }

  /** Takes up to `count` jobs whose lease lapsed, with the messages their holder wrote. */
  async takeOver(count: number): Promise<TakenJob[]> {
    const reply = (await this.redis.xautoclaim(
      this.stream,
      this.group,
      this.consumer,
      this.leaseMs,
      '0-0',
      'COUNT',
      count,
    )) as [string, Array<[string, string[]] | null>, string[]?];
    const jobs: TakenJob[] = [];
    for (const entry of reply[1] ?? []) {
      if (!entry) continue;
      const [id, fields] = entry;
      if (this.held.has(id)) continue;
      this.held.add(id);
      // Entries written before the question had a key of its own carry it in the entry.
      const at = fields.indexOf('job');
      const payload = at >= 0 ? (fields[at + 1] ?? '') : ((await this.redis.get(this.textKey(id))) ?? '');
      const written = await this.redis.lrange(this.writtenKey(id), 0, -1);
      const pending = (await this.redis.xpending(this.stream, this.group, id, id, 1)) as Array<
        [string, string, number, number]
      >;
      const attempts = Number(pending[0]?.[3] ?? 1);
      jobs.push({ id, payload, acceptedAt: timeOf(id), written, attempts });
    }
    return jobs;
  }

  /** Age of the oldest job not yet done, in ms (0 when none). */
  async oldestAgeMs(now = Date.now()): Promise<number> {
    try {
      const summary = (await this.redis.xpending(this.stream, this.group)) as [number, string | null];
      return summary[0] > 0 && summary[1] ? Math.max(0, now - timeOf(summary[1])) : 0;
    } catch {
      // No stream or group yet (or Redis emptied): nothing is waiting.
      return 0;
    }
  }

  /** Makes the stream and group exist (a Redis emptied since then gets them back on next accept). */
  async prepare(): Promise<void> {
    await this.redis.xgroup('CREATE', this.stream, this.group, '$', 'MKSTREAM').catch(() => {});
  }

  async forgetTeam(teamId: string): Promise<number> {
    let forgotten = 0;
    const entries = (await this.redis.xrange(this.stream, '-', '+').catch(() => [])) as Array<
      [string, string[]]
    >;
    for (const [id, fields] of entries) {
      const at = fields.indexOf('job');
      const payload = at >= 0 ? (fields[at + 1] ?? '') : ((await this.redis.get(this.textKey(id))) ?? '');
      if (!askedIn(payload, teamId)) continue;
      await this.done(id);
      forgotten++;
    }
    return forgotten;
  }

  private writtenKey(id: string): string {
    return `${this.prefix}job-written:${id}`;
  }

  /** Where the question of entry `id` is kept until it is done. */
  private textKey(id: string): string {
    return `${this.prefix}job-text:${id}`;
  }
}

/** The time part of a stream id (`<ms>-<seq>`). */
function timeOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-'))) || 0;
}

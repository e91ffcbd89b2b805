import { hostname } from 'node:os';
import { type RedisClient, redisReady, tagged } from '../platform/redis.js';

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
 * Sets the claim, adds the entry and delivers it to this consumer, in one step. The claim, the
 * stream and the question's key (ARGV[5] .. id) share a hash tag, so the script is legal in a Redis
 * Cluster. The question itself goes in a key of its own, named after the entry: a stream entry removed with XDEL stays
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
  private readonly group = 'answers';
  /** Jobs this process works on: never taken over by itself (after a long pause of its own). */
  private readonly held = new Set<string>();
  /** The hash tags of the streams jobs were accepted into (kept as long as a claim), for the sweeps. */
  private readonly registry: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** Without renewal for this long, a job is another replica's to take. */
    readonly leaseMs: number,
  ) {
    this.registry = `${prefix}job-streams`;
  }

  /** Redis answers now: a new job can be made durable. */
  get available(): boolean {
    return redisReady(this.redis);
  }

  /**
   * Makes the job durable and this replica its holder. `duplicate` when the claim exists (a
   * redelivery); throws when Redis cannot take it (the caller answers it without durability).
   * A claim key with a hash tag (`claim:{T123}:…`) puts the job in that tag's stream, in the
   * claim's hash slot, so the script stays legal in a Redis Cluster.
   */
  async accept(claimKey: string, payload: string, keepMs: number): Promise<HeldJob | 'duplicate'> {
    const tag = hashTag(claimKey);
    const [entry] = await Promise.all([
      this.redis.eval(
        ACCEPT,
        2,
        this.prefix + claimKey,
        this.stream(tag),
        keepMs,
        this.group,
        this.consumer,
        payload,
        this.textKey(tag, ''),
      ) as Promise<string | null>,
      tag ? this.redis.multi().sadd(this.registry, tag).pexpire(this.registry, keepMs).exec() : undefined,
    ]);
    if (!entry) return 'duplicate';
    const id = jobId(tag, entry);
    this.held.add(id);
    return { id, payload, acceptedAt: timeOf(entry) };
  }

  /** Keeps the lease; false once another replica owns the job. Throws when Redis is away. */
  async renew(id: string): Promise<boolean> {
    const { tag, entry } = parseId(id);
    return (await this.redis.eval(RENEW, 1, this.stream(tag), this.group, this.consumer, entry)) === 1;
  }

  /** Records a message written for the job, so a replica taking it over can replace it. */
  async wrote(id: string, ts: string): Promise<void> {
    const { tag, entry } = parseId(id);
    const key = this.writtenKey(tag, entry);
    await this.redis.multi().rpush(key, ts).ltrim(key, -MAX_WRITTEN, -1).pexpire(key, 86_400_000).exec();
  }

  /** The job is answered (or told why not): nobody takes it over. */
  async done(id: string): Promise<void> {
    this.held.delete(id);
    const { tag, entry } = parseId(id);
    await this.redis.eval(
      DONE,
      3,
      this.stream(tag),
      this.writtenKey(tag, entry),
      this.textKey(tag, entry),
      this.group,
      entry,
    );
  }

  /** Gives the job back at once (shutdown before its turn): the next sweep of any replica takes it. */
  async handBack(id: string): Promise<void> {
    this.held.delete(id);
    const { tag, entry } = parseId(id);
    await this.redis.eval(
      HAND_BACK,
      1,
      this.stream(tag),
      this.group,
      this.consumer,
      entry,
      this.leaseMs * 10,
    );
  }

  /** Takes up to `count` jobs whose lease lapsed, with the messages their holder wrote. */
  async takeOver(count: number): Promise<TakenJob[]> {
    const jobs: TakenJob[] = [];
    for (const tag of await this.tags()) {
      if (jobs.length >= count) break;
      jobs.push(...(await this.takeOverIn(tag, count - jobs.length)));
    }
    return jobs;
  }

  private async takeOverIn(tag: string, count: number): Promise<TakenJob[]> {
    const stream = this.stream(tag);
    let reply: [string, Array<[string, string[]] | null>, string[]?];
    try {
      reply = (await this.redis.xautoclaim(
        stream,
        this.group,
        this.consumer,
        this.leaseMs,
        '0-0',
        'COUNT',
        count,
      )) as typeof reply;
    } catch (err) {
      // No such stream (nothing accepted there yet, or it expired): nothing to take.
      if (/NOGROUP/.test((err as Error).message)) return [];
      throw err;
    }
    const jobs: TakenJob[] = [];
    for (const item of reply[1] ?? []) {
      if (!item) continue;
      const [entry, fields] = item;
      const id = jobId(tag, entry);
      if (this.held.has(id)) continue;
      this.held.add(id);
      // Entries written before the question had a key of its own carry it in the entry.
      const at = fields.indexOf('job');
      const payload =
        at >= 0 ? (fields[at + 1] ?? '') : ((await this.redis.get(this.textKey(tag, entry))) ?? '');
      const written = await this.redis.lrange(this.writtenKey(tag, entry), 0, -1);
      const pending = (await this.redis.xpending(stream, this.group, entry, entry, 1)) as Array<
        [string, string, number, number]
      >;
      const attempts = Number(pending[0]?.[3] ?? 1);
      jobs.push({ id, payload, acceptedAt: timeOf(entry), written, attempts });
    }
    return jobs;
  }

  /** Age of the oldest job not yet done, in ms (0 when none). */
  async oldestAgeMs(now = Date.now()): Promise<number> {
    let oldest = 0;
    for (const tag of await this.tags().catch(() => [])) {
      try {
        const summary = (await this.redis.xpending(this.stream(tag), this.group)) as [number, string | null];
        if (summary[0] > 0 && summary[1]) oldest = Math.max(oldest, now - timeOf(summary[1]));
      } catch {
        // No stream or group yet (or Redis emptied): nothing is waiting there.
      }
    }
    return oldest;
  }

  /** Nothing to make ahead: each stream and its group are made by the first job accepted into it. */
  async prepare(): Promise<void> {}

  /**
   * The workspace's stream (its claims carry its id as their tag), and its jobs in the untagged
   * stream of earlier versions.
   */
  async forgetTeam(teamId: string): Promise<number> {
    let forgotten = 0;
    for (const tag of ['', teamId]) {
      const entries = (await this.redis.xrange(this.stream(tag), '-', '+').catch(() => [])) as Array<
        [string, string[]]
      >;
      for (const [entry, fields] of entries) {
        if (!tag) {
          const at = fields.indexOf('job');
          const payload =
            at >= 0 ? (fields[at + 1] ?? '') : ((await this.redis.get(this.textKey(tag, entry))) ?? '');
          if (!askedIn(payload, teamId)) continue;
        }
        await this.done(jobId(tag, entry));
        forgotten++;
      }
    }
    await this.redis.srem(this.registry, teamId);
    return forgotten;
  }

  /** The tags of the streams that may hold jobs; '' is the untagged stream of earlier versions. */
  private async tags(): Promise<string[]> {
    return ['', ...(await this.redis.smembers(this.registry))];
  }

  /** The stream of jobs whose claims carry `tag` (`scb:{T123}:jobs`); untagged: `scb:jobs`. */
  private stream(tag: string): string {
    return tag ? tagged(this.prefix, tag, 'jobs') : `${this.prefix}jobs`;
  }

  private writtenKey(tag: string, entry: string): string {
    return tag ? tagged(this.prefix, tag, `job-written:${entry}`) : `${this.prefix}job-written:${entry}`;
  }

  /** Where the question of entry `entry` is kept until it is done (same hash slot as its stream). */
  private textKey(tag: string, entry: string): string {
    return tag ? tagged(this.prefix, tag, `job-text:${entry}`) : `${this.prefix}job-text:${entry}`;
  }
}

/**
 * The hash tag of a key as Redis Cluster reads it: what is between the first `{` and the next `}`,
 * if not empty; '' when there is none.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return '';
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : '';
}

/** A job's id: its stream's tag and its entry id (`T123/1700000000000-0`); untagged: the entry id. */
function jobId(tag: string, entry: string): string {
  return tag ? `${tag}/${entry}` : entry;
}

function parseId(id: string): { tag: string; entry: string } {
  const at = id.lastIndexOf('/');
  return at < 0 ? { tag: '', entry: id } : { tag: id.slice(0, at), entry: id.slice(at + 1) };
}

/** The time part of a stream id (`<ms>-<seq>`). */
function timeOf(id: string): number {
  return Number(id.slice(0, id.indexOf('-'))) || 0;
}

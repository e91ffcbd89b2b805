/**
 * The facts each channel asked the bot to remember, kept per workspace and channel: in Redis with
 * REDIS_URL (every replica sees them), in a file in STATE_DIR without Redis (they survive a
 * restart), else in the process's memory. Bounded: MAX_FACTS a channel, MAX_FACT_CHARS a fact.
 */
import type Keyv from 'keyv';
import { UnreadableFile } from '../../platform/json-file.js';
import type { Logger } from '../../platform/logger.js';
import { JsonFileRecords } from '../../platform/records.js';

/** Facts one channel keeps: the prompt carries them all, so they stay few. */
export const MAX_FACTS = 30;
/** The longest fact, in characters (after mentions and markup are made plain). */
export const MAX_FACT_CHARS = 400;
/**
 * How long a channel's facts are kept after they last changed or were last used by a question
 * (Redis, memory): nothing the bot stores is kept for ever. A channel that asks nothing for a
 * year starts again with no facts.
 */
export const MEMORY_KEEP_MS = 365 * 24 * 60 * 60 * 1000;

/** One remembered fact: its text (clean, bounded), who taught it and when (YYYY-MM-DD). */
export interface Fact {
  text: string;
  by: string;
  at: string;
}

/**
 * The facts could not be read (a file or value that is not what the bot wrote): nothing is changed
 * (a change would write over facts that are only unreadable), and the person is told memory is
 * unavailable. `where` names the file or key; `logged` when the book has logged it already.
 */
export class MemoryUnavailable extends Error {
  override name = 'MemoryUnavailable';
  constructor(
    readonly where: string,
    readonly logged = false,
  ) {
    super(`channel memory unreadable: ${where}`);
  }
}

/** Where facts are kept. `update` reads, changes and writes one channel's facts. */
export interface FactBook {
  list(team: string, channel: string): Promise<Fact[]>;
  update(team: string, channel: string, change: (facts: Fact[]) => Fact[]): Promise<Fact[]>;
  /** The channels of a workspace that have facts (the Home tab lists them). */
  channels(team: string): Promise<string[]>;
  /** The channel's facts were used: their time to live (MEMORY_KEEP_MS) starts again. */
  touch?(team: string, channel: string): Promise<void>;
}

/** Keeps one writer per channel at a time in this process (two facts taught at once both stay). */
class Serial {
  private tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

const isFacts = (v: unknown): v is Fact[] =>
  Array.isArray(v) &&
  v.every((f) => typeof (f as Fact)?.text === 'string' && typeof (f as Fact).by === 'string');

/** The Redis commands the facts need (ioredis's). */
export interface FactsRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<number>;
  del(key: string): Promise<number>;
  sadd(key: string, member: string): Promise<number>;
  srem(key: string, member: string): Promise<number>;
  smembers(key: string): Promise<string[]>;
}

/**
 * Facts in Redis (REDIS_URL), on the bot's main connection (ready before the bot answers): one
 * key per workspace and channel (JSON), and a set of the channels that have facts. Two replicas
 * changing one channel's facts in the same instant can lose one change; in one process changes
 * are serialised.
 */
export class RedisFacts implements FactBook {
  private readonly serial = new Serial();
  constructor(
    private readonly redis: FactsRedis,
    private readonly prefix: string,
  ) {}

  async list(team: string, channel: string): Promise<Fact[]> {
    const key = `${this.prefix}memory:${team}:${channel}`;
    const raw = await this.redis.get(key);
    if (!raw) return [];
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch {
      throw new MemoryUnavailable(key);
    }
    if (!isFacts(v)) throw new MemoryUnavailable(key);
    return v;
  }

  update(team: string, channel: string, change: (facts: Fact[]) => Fact[]): Promise<Fact[]> {
    return this.serial.run(`${team}:${channel}`, async () => {
      const key = `${this.prefix}memory:${team}:${channel}`;
      const index = `${this.prefix}memory-channels:${team}`;
      const before = await this.list(team, channel);
      const next = change(before);
      if (next === before) return next;
      if (next.length) {
        await this.redis.set(key, JSON.stringify(next), 'PX', MEMORY_KEEP_MS);
        await this.redis.sadd(index, channel);
        await this.redis.pexpire(index, MEMORY_KEEP_MS);
      } else {
        await this.redis.del(key);
        await this.redis.srem(index, channel);
      }
      return next;
    });
  }

  channels(team: string): Promise<string[]> {
    return this.redis.smembers(`${this.prefix}memory-channels:${team}`);
  }

  async touch(team: string, channel: string): Promise<void> {
    await this.redis.pexpire(`${this.prefix}memory:${team}:${channel}`, MEMORY_KEEP_MS);
    await this.redis.pexpire(`${this.prefix}memory-channels:${team}`, MEMORY_KEEP_MS);
  }
}

/**
 * Facts in the process's key-value store (no Redis, no STATE_DIR: gone with the process): a key per workspace and
 * channel, and one listing the channels that have facts. Writes from two replicas in the same
 * instant to one channel can lose one of them (the store has no transactions); in one process
 * they are serialised.
 */
export class StoreFacts implements FactBook {
  private readonly serial = new Serial();
  constructor(private readonly store: Keyv) {}

  async list(team: string, channel: string): Promise<Fact[]> {
    const v = await this.store.get(`memory:${team}:${channel}`);
    if (v === undefined || v === null) return [];
    if (!isFacts(v)) throw new MemoryUnavailable(`memory:${team}:${channel}`);
    return v;
  }

  update(team: string, channel: string, change: (facts: Fact[]) => Fact[]): Promise<Fact[]> {
    return this.serial.run(`${team}:${channel}`, async () => {
      const next = change(await this.list(team, channel));
      if (next.length) await this.store.set(`memory:${team}:${channel}`, next, MEMORY_KEEP_MS);
      else await this.store.delete(`memory:${team}:${channel}`);
      await this.serial.run(`index:${team}`, async () => {
        const all = new Set(await this.channels(team));
        if (next.length) all.add(channel);
        else all.delete(channel);
        await this.store.set(`memory-channels:${team}`, [...all], MEMORY_KEEP_MS);
      });
      return next;
    });
  }

  async channels(team: string): Promise<string[]> {
    const v = await this.store.get(`memory-channels:${team}`);
    return Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : [];
  }
}

/**
 * Facts in one JSON file in STATE_DIR (one process without Redis), `channel-memory.json` (mode
 * 0600): a record per workspace of its channels' facts (`{ "T…": { "C…": [facts] } }`), read at
 * start and written whole on each change (platform/records.ts). A file that is there but cannot
 * be read or is not what the bot writes is left as it is: one error line names it, and until it
 * is fixed or moved aside (read again at each use) memory is unavailable rather than empty, so the
 * next change does not write over everyone's facts.
 */
export class FileFacts implements FactBook {
  private readonly teams: JsonFileRecords<Record<string, Fact[]>>;
  /** The file could not be read: nothing is read from or written to it until it can. */
  private broken = false;
  /** A workspace's record is read, changed and written whole: two changes in it wait for each other. */
  private readonly serial = new Serial();

  constructor(
    dir: string,
    private readonly log: Pick<Logger, 'error' | 'info'>,
  ) {
    this.teams = new JsonFileRecords(dir, 'channel-memory.json', { mode: 0o600, valid: isFactFile });
    this.readable();
  }

  /** Reads the file unless it was read; false (logged once) while it is there but unreadable. */
  private readable(): boolean {
    try {
      this.teams.load();
    } catch (err) {
      if (!(err instanceof UnreadableFile)) throw err;
      if (!this.broken)
        this.log.error(
          { file: err.file, why: err.why },
          'channel memory file cannot be read; left as it is and memory unavailable until it is fixed or moved aside',
        );
      this.broken = true;
      return false;
    }
    if (this.broken) this.log.info({ file: this.teams.file }, 'channel memory file readable again');
    this.broken = false;
    return true;
  }

  /** A workspace's facts by channel; throws MemoryUnavailable while the file cannot be read. */
  private async team(team: string): Promise<Record<string, Fact[]>> {
    if (!this.readable()) throw new MemoryUnavailable(this.teams.file, true);
    return (await this.teams.get(team)) ?? {};
  }

  async list(team: string, channel: string): Promise<Fact[]> {
    return (await this.team(team))[channel] ?? [];
  }

  update(team: string, channel: string, change: (facts: Fact[]) => Fact[]): Promise<Fact[]> {
    return this.serial.run(team, async () => {
      const { [channel]: before = [], ...others } = await this.team(team);
      const next = change(before);
      const teamFacts = next.length ? { ...others, [channel]: next } : others;
      if (Object.keys(teamFacts).length) await this.teams.put(team, teamFacts);
      else await this.teams.delete(team);
      return next;
    });
  }

  async channels(team: string): Promise<string[]> {
    return Object.keys(await this.team(team));
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What FileFacts writes: workspaces, each of channels, each of facts. */
function isFactFile(v: Record<string, unknown>): boolean {
  return Object.values(v).every((team) => isObject(team) && Object.values(team).every(isFacts));
}

/**
 * A fact as kept and shown: mentions and links already made plain (see plainText), control and
 * invisible characters out, whitespace collapsed, and @here / @channel / @everyone broken so
 * that nothing it says can ping anyone, wherever it is shown.
 */
export function cleanFact(plain: string): string {
  return plain
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^that\s+/i, '')
    .replace(/@(here|channel|everyone)\b/gi, '@\u200B$1');
}

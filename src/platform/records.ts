import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { readJsonFile, UnreadableFile } from './json-file.js';
import type { RedisClient } from './redis.js';

/**
 * A small durable table of records by key: the installations of the app (text, sealed by the
 * caller), routines' records, batched calls' ids, channels' facts. Each backend keeps records
 * where they always were: Redis keys `<prefix><key>`, a SQLite table, one JSON file in STATE_DIR,
 * or the process's memory. Reads throw when the store cannot answer.
 */
export interface Records<V = string> {
  get(key: string): Promise<V | undefined>;
  /** Throws when the record could not be kept. */
  put(key: string, value: V): Promise<void>;
  delete(key: string): Promise<void>;
  close(): void;
}

/** Records in the process's memory (one process, lost on restart), copied in and out. */
export class MemoryRecords<V> implements Records<V> {
  private readonly all = new Map<string, V>();

  async get(key: string): Promise<V | undefined> {
    const v = this.all.get(key);
    return v === undefined ? undefined : structuredClone(v);
  }

  async put(key: string, value: V): Promise<void> {
    this.all.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.all.delete(key);
  }

  close(): void {}
}

/**
 * Records as Redis strings under `prefix` (`scb:installation:T…`), shared by every replica; with
 * `ttlMs` each expires that long after it was last set.
 */
export class RedisRecords implements Records {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly ttlMs?: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async put(key: string, value: string): Promise<void> {
    if (this.ttlMs) await this.redis.set(this.prefix + key, value, 'PX', this.ttlMs);
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  close(): void {}
}

/** Records as JSON in Redis, one key each (`<prefix><key>`: `{"handled":…}`), `ttlMs` as RedisRecords. */
export class RedisJsonRecords<V> implements Records<V> {
  private readonly text: RedisRecords;

  constructor(redis: RedisClient, prefix: string, ttlMs?: number) {
    this.text = new RedisRecords(redis, prefix, ttlMs);
  }

  async get(key: string): Promise<V | undefined> {
    const raw = await this.text.get(key);
    return raw ? (JSON.parse(raw) as V) : undefined;
  }

  put(key: string, value: V): Promise<void> {
    return this.text.put(key, JSON.stringify(value));
  }

  delete(key: string): Promise<void> {
    return this.text.delete(key);
  }

  close(): void {}
}

export interface JsonFileOptions<V> {
  /** Records that no longer count (expired) are neither given nor written back. */
  keep?(value: V): boolean;
  /** The file's permissions when written (default: the process's umask). */
  mode?: number;
  /** Whether a file read is what the bot writes (every record of the right shape). */
  valid?(all: Record<string, unknown>): boolean;
}

/**
 * Records in one JSON file in STATE_DIR, `{ "<key>": <record>, … }`, for the one process that
 * owns it: read at the first use and kept in memory, replaced whole on each change (written aside,
 * then renamed, so a crash leaves the old file or the new one). A file that is there but cannot be
 * read, is not JSON, or is not what the bot writes is never taken for an empty one: every call
 * throws UnreadableFile (naming it) and reads it again, and nothing is written over it.
 */
export class JsonFileRecords<V> implements Records<V> {
  readonly file: string;
  private data?: Record<string, V>;

  constructor(
    dir: string,
    name: string,
    private readonly opts: JsonFileOptions<V> = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, name);
  }

  async get(key: string): Promise<V | undefined> {
    const v = this.all()[key];
    return v === undefined ? undefined : structuredClone(v);
  }

  async put(key: string, value: V): Promise<void> {
    this.write({ ...this.all(), [key]: structuredClone(value) });
  }

  async delete(key: string): Promise<void> {
    const { [key]: _gone, ...rest } = this.all();
    this.write(rest);
  }

  /** Reads the file unless it was read already; throws UnreadableFile as every call does. */
  load(): void {
    this.data ??= this.read();
  }

  close(): void {}

  private all(): Record<string, V> {
    this.load();
    const all = this.data ?? {};
    const { keep } = this.opts;
    return keep ? Object.fromEntries(Object.entries(all).filter(([, v]) => keep(v))) : all;
  }

  private read(): Record<string, V> {
    const v = readJsonFile(this.file) ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new UnreadableFile(this.file, 'not a JSON object');
    if (this.opts.valid && !this.opts.valid(v as Record<string, unknown>))
      throw new UnreadableFile(this.file, 'not what the bot writes');
    return v as Record<string, V>;
  }

  private write(all: Record<string, V>) {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(all), this.opts.mode === undefined ? {} : { mode: this.opts.mode });
    renameSync(tmp, this.file);
    this.data = all;
  }
}

/**
 * Records in `<dir>/<file>` (node:sqlite, built into Node), WAL mode; secure_delete and a WAL
 * checkpoint after each delete, so a deleted record's bytes do not linger in the file.
 */
export class SqliteRecords implements Records {
  private readonly db: DatabaseSync;

  constructor(dir: string, file = 'installations.sqlite') {
    mkdirSync(dir, { recursive: true });
    const { DatabaseSync: Db } = createRequire(import.meta.url)(
      'node:sqlite',
    ) as typeof import('node:sqlite');
    this.db = new Db(join(dir, file));
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;
      CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL)`);
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT value FROM records WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  async put(key: string, value: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO records (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(key, value, Date.now());
  }

  async delete(key: string): Promise<void> {
    const r = this.db.prepare('DELETE FROM records WHERE key = ?').run(key);
    if (r.changes) this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { RedisClient } from './redis.js';

/**
 * A small durable table of text records by key (the installations of the app): Redis with
 * REDIS_URL, else SQLite in STATE_DIR. Values are stored as given (callers seal secrets first).
 */
export interface Records {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  close(): void;
}

/** Records as Redis strings under `prefix` (`scb:installation:T…`). */
export class RedisRecords implements Records {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string): Promise<void> {
    await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  close(): void {}
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

  async set(key: string, value: string): Promise<void> {
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

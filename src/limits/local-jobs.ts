import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { LRUCache } from 'lru-cache';
import { askedIn, type HeldJob, type JobStore, MAX_WRITTEN, type TakenJob } from './durable-jobs.js';

/**
 * One process's questions on disk (STATE_DIR, without Redis): each acknowledged question is a
 * row until it is answered, so a process that crashes or is restarted answers, when it starts
 * again, what it had acknowledged. SQLite (node:sqlite, built into Node) in WAL mode: a row
 * survives the process dying (not the machine losing power before the OS wrote it).
 * Rows found at start belong to the process before: they are taken over as a replica's are.
 */
export class LocalJobs implements JobStore {
  readonly available = true;
  private readonly db: DatabaseSync;
  /** Jobs this process holds (accepted or taken over): never taken over again here. */
  private readonly held = new Set<string>();
  /** Events answered lately: their redeliveries stay dropped (as the claims keep them). */
  private readonly answered = new LRUCache<string, true>({ max: 100_000 });
  /** How long an answered event's redeliveries stay dropped (given with each job). */
  private keepMs = 0;
  /** Rows up to this id were left by the process before; later ones are this process's own. */
  private readonly before: number;

  constructor(
    dir: string,
    readonly leaseMs: number,
  ) {
    mkdirSync(dir, { recursive: true });
    // Loaded only when STATE_DIR is set.
    const { DatabaseSync: Db } = createRequire(import.meta.url)(
      'node:sqlite',
    ) as typeof import('node:sqlite');
    this.db = new Db(join(dir, 'questions.sqlite'));
    // secure_delete: a deleted row's bytes are overwritten, not left in free space for the file
    // to carry; done() then checkpoints the WAL, which holds copies of every page written.
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;
      CREATE TABLE IF NOT EXISTS jobs (
        id INTEGER PRIMARY KEY, claim TEXT UNIQUE NOT NULL, payload TEXT NOT NULL,
        accepted_at INTEGER NOT NULL, written TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 1)`);
    const columns = this.db.prepare('PRAGMA table_info(jobs)').all() as Array<{ name: string }>;
    // A journal from before attempts were counted.
    if (!columns.some((c) => c.name === 'attempts'))
      this.db.exec('ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1');
    this.before = (this.db.prepare('SELECT MAX(id) AS id FROM jobs').get() as { id: number | null }).id ?? 0;
  }

  async accept(claimKey: string, payload: string, keepMs: number): Promise<HeldJob | 'duplicate'> {
    if (this.answered.has(claimKey)) return 'duplicate';
    const acceptedAt = Date.now();
    const r = this.db
      .prepare('INSERT OR IGNORE INTO jobs (claim, payload, accepted_at) VALUES (?, ?, ?)')
      .run(claimKey, payload, acceptedAt);
    if (r.changes === 0) return 'duplicate';
    const id = String(r.lastInsertRowid);
    this.held.add(id);
    this.keepMs = keepMs;
    return { id, payload, acceptedAt };
  }

  async renew(): Promise<boolean> {
    return true;
  }

  async wrote(id: string, ts: string): Promise<void> {
    const row = this.db.prepare('SELECT written FROM jobs WHERE id = ?').get(id) as
      | { written: string }
      | undefined;
    if (!row) return;
    const written = [...(JSON.parse(row.written) as string[]), ts].slice(-MAX_WRITTEN);
    this.db.prepare('UPDATE jobs SET written = ? WHERE id = ?').run(JSON.stringify(written), id);
  }

  /** The row goes, and with the WAL checkpointed and emptied no copy of the question stays on disk. */
  async done(id: string): Promise<void> {
    const row = this.db.prepare('DELETE FROM jobs WHERE id = ? RETURNING claim').get(id) as
      | { claim: string }
      | undefined;
    this.held.delete(id);
    if (row && this.keepMs) this.answered.set(row.claim, true, { ttl: this.keepMs });
    if (row) this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** Stays in the journal: this process answers it when it starts again, not counted as an attempt. */
  async handBack(id: string): Promise<void> {
    this.held.delete(id);
    this.db.prepare('UPDATE jobs SET attempts = MAX(0, attempts - 1) WHERE id = ?').run(id);
  }

  /** The rows the process before this one left, `count` at a time. */
  async takeOver(count: number): Promise<TakenJob[]> {
    if (this.before === 0) return [];
    const rows = this.db
      .prepare('SELECT id, payload, accepted_at, written FROM jobs WHERE id <= ? ORDER BY id')
      .all(this.before) as Array<{ id: number; payload: string; accepted_at: number; written: string }>;
    const taken: TakenJob[] = [];
    const attempt = this.db.prepare(
      'UPDATE jobs SET attempts = attempts + 1 WHERE id = ? RETURNING attempts',
    );
    for (const r of rows) {
      const id = String(r.id);
      if (this.held.has(id)) continue;
      this.held.add(id);
      const { attempts } = attempt.get(id) as { attempts: number };
      taken.push({
        id,
        payload: r.payload,
        acceptedAt: r.accepted_at,
        written: parseWritten(r.written),
        attempts,
      });
      if (taken.length >= count) break;
    }
    return taken;
  }

  async oldestAgeMs(now = Date.now()): Promise<number> {
    const row = this.db.prepare('SELECT MIN(accepted_at) AS at FROM jobs').get() as { at: number | null };
    return row.at ? Math.max(0, now - row.at) : 0;
  }

  async prepare(): Promise<void> {}

  async forgetTeam(teamId: string): Promise<number> {
    const rows = this.db.prepare('SELECT id, payload FROM jobs').all() as Array<{
      id: number;
      payload: string;
    }>;
    let forgotten = 0;
    for (const r of rows) {
      if (!askedIn(r.payload, teamId)) continue;
      this.db.prepare('DELETE FROM jobs WHERE id = ?').run(r.id);
      this.held.delete(String(r.id));
      forgotten++;
    }
    // As done(): no copy of the deleted questions stays in the WAL.
    if (forgotten) this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    return forgotten;
  }
}

function parseWritten(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

import type { ClaimStore } from '../../limits/claims.js';
import type { Logger } from '../../platform/logger.js';
import type { RoutineSpec } from '../deps.js';
import type { RoutineBook, RoutineRecord } from './book.js';
import { latestSlot } from './schedule.js';

/** A run missed while no replica was up is made up for only when its slot is this recent. */
export const MISSED_RUN_MAX_AGE_MS = 24 * 3600_000;
/** Retries of a failed run: 1, 2, 4, 8, 16 minutes after each failure, then the slot is given up. */
export const MAX_ATTEMPTS = 6;
const RETRY_BASE_MS = 60_000;
const RETRY_MAX_MS = 30 * 60_000;
/** How long a finished slot's claim is kept (the record says the same; this is a second guard). */
const DONE_KEEP_MS = 7 * 24 * 3600_000;

/** A routine that cannot run as written (a channel the bot is not in): `message` is for the channel. */
export class RoutineProblem extends Error {
  override name = 'RoutineProblem';
}

/** What the scheduler does about a routine now. */
export type Decision =
  | { kind: 'none' }
  /** First seen: runs start from the next slot (no digest of the past at once). */
  | { kind: 'init'; slot: number }
  /** Missed by more than MISSED_RUN_MAX_AGE_MS: not run; the next digest's window covers it. */
  | { kind: 'skip'; slot: number }
  | { kind: 'run'; slot: number };

/** The decision for a routine whose latest slot is `slot`, given its record. Pure. */
export function decide(record: RoutineRecord | undefined, slot: number | undefined, now: number): Decision {
  if (slot === undefined) return { kind: 'none' };
  if (!record) return { kind: 'init', slot };
  const f = record.failing;
  if (f && f.slot === slot) return now >= f.retryAt ? { kind: 'run', slot } : { kind: 'none' };
  if (slot <= record.handled) return { kind: 'none' };
  if (now - slot > MISSED_RUN_MAX_AGE_MS) return { kind: 'skip', slot };
  return { kind: 'run', slot };
}

/** The wait before the next attempt after `attempts` failures. */
export function retryDelay(attempts: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1), RETRY_MAX_MS);
}

/** One run of a routine's slot, as the scheduler hands it to the routine's handler. */
export interface RoutineRun {
  spec: RoutineSpec;
  slot: number;
  /** Read under the routine's lease; `save` keeps changes (the writing marker, the canvas). */
  record: RoutineRecord;
  save(record: RoutineRecord): Promise<void>;
  /** True once this replica was halted (as a killed process): write nothing more. */
  halted(): boolean;
  signal: AbortSignal;
}

export type RunResult =
  | { ok: true }
  /** `restarting`: this process is stopping; not counted as a failure, taken up again. */
  | { ok: false; reason: string; restarting?: boolean; text?: string };

export interface SchedulerDeps {
  routines(): RoutineSpec[];
  book: RoutineBook;
  /** Leases shared by replicas (Redis with REDIS_URL; this process's memory otherwise). */
  claims: ClaimStore;
  run(run: RoutineRun): Promise<RunResult>;
  /** Tells the target channel, once per failing slot, that its digest failed and will be retried. */
  notify(spec: RoutineSpec, slot: number, failure: { reason: string; text?: string }): Promise<void>;
  now(): number;
  tickMs: number;
  leaseMs: number;
  log: Logger;
}

/**
 * Runs each routine's slots exactly once across replicas. Every tick each replica reads each
 * routine's record; when a slot is due it takes the routine's lease (one run of a routine at a
 * time) and the slot's claim (`routine:<name>:<slot>`, kept once done), re-reads the record and
 * runs the slot through the routine's handler. The record (Redis, STATE_DIR or memory) says which
 * slot was dealt with last, so a restart neither repeats nor loses a run; leases are renewed while
 * a run lasts and lapse when its replica dies, so another replica takes the slot up.
 */
export class RoutineScheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private halted = false;
  private readonly abort = new AbortController();
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs);
    this.timer.unref();
    void this.tick();
  }

  /** One look at every routine (the timer calls it; tests may too). */
  tick(): Promise<void> {
    this.ticking ??= this.look().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Resolves once the runs under way now have ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  /** Stops ticking; runs under way are aborted (their slot is taken up again) and awaited. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.running.values()]);
  }

  /** As if the process were killed: no more ticks, renewals, records or Slack writes; leases lapse. */
  halt(): void {
    this.halted = true;
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async look(): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.now();
    for (const spec of this.deps.routines()) {
      if (this.running.has(spec.name)) continue;
      let record: RoutineRecord | undefined;
      try {
        record = await this.deps.book.get(spec.name);
      } catch (err) {
        this.deps.log.warn({ err, routine: spec.name }, 'routine record unavailable; trying again next tick');
        continue;
      }
      if (decide(record, latestSlot(spec, now), now).kind === 'none') continue;
      const work = this.take(spec).finally(() => this.running.delete(spec.name));
      this.running.set(spec.name, work);
    }
  }

  /** Under the routine's lease: decides again on the current record and acts. */
  private async take(spec: RoutineSpec): Promise<void> {
    const { claims, book, log, leaseMs } = this.deps;
    const lock = `routine:${spec.name}`;
    if (!(await claims.claim(lock, leaseMs).catch(() => false))) return;
    let slotKey: string | undefined;
    const renew = setInterval(() => {
      if (this.halted) return;
      void claims.extend(lock, leaseMs).catch(() => {});
      if (slotKey) void claims.extend(slotKey, leaseMs).catch(() => {});
    }, leaseMs / 3);
    renew.unref();
    let done = false;
    try {
      const now = this.deps.now();
      const record = await book.get(spec.name);
      const d = decide(record, latestSlot(spec, now), now);
      if (d.kind === 'init') {
        await book.put(spec.name, { handled: d.slot, coveredTo: d.slot });
        log.info({ routine: spec.name }, 'routine scheduled');
      } else if (d.kind === 'skip' && record) {
        await book.put(spec.name, { ...record, handled: d.slot, failing: undefined });
        log.warn(
          { routine: spec.name, slot: new Date(d.slot).toISOString() },
          'routine run missed too long ago; skipped',
        );
      } else if (d.kind === 'run' && record) {
        slotKey = `routine:${spec.name}:${d.slot}`;
        if (!(await claims.claim(slotKey, leaseMs).catch(() => false))) {
          slotKey = undefined;
          return;
        }
        done = await this.runSlot(spec, d.slot, record);
      }
    } catch (err) {
      log.warn({ err, routine: spec.name }, 'routine could not be run');
    } finally {
      clearInterval(renew);
      if (!this.halted) {
        if (slotKey) {
          if (done) await claims.complete(slotKey, DONE_KEEP_MS).catch(() => {});
          else await claims.release(slotKey).catch(() => {});
        }
        await claims.release(lock).catch(() => {});
      }
    }
  }

  /** Runs one slot; true when it is dealt with (done or given up). */
  private async runSlot(spec: RoutineSpec, slot: number, record: RoutineRecord): Promise<boolean> {
    const { book, log } = this.deps;
    let current = record;
    const save = async (next: RoutineRecord) => {
      if (this.halted) throw new Error('halted');
      await book.put(spec.name, next);
      current = next;
    };
    const started = this.deps.now();
    const result: RunResult = await this.deps
      .run({ spec, slot, record, save, halted: () => this.halted, signal: this.abort.signal })
      .catch((err: unknown) => {
        log.warn({ err, routine: spec.name }, 'routine run failed');
        const problem = err instanceof RoutineProblem;
        return {
          ok: false,
          reason: problem ? 'problem' : 'internal',
          ...(problem ? { text: err.message } : {}),
        };
      });
    if (this.halted) return false;
    if (result.ok) {
      await save({ ...current, handled: slot, coveredTo: slot, failing: undefined, writing: undefined });
      log.info(
        { routine: spec.name, slot: new Date(slot).toISOString(), ms: this.deps.now() - started },
        'routine ran',
      );
      return true;
    }
    if (result.restarting) return false;
    // Told once while runs keep failing, even when a later slot takes over from a failing one.
    const failing =
      current.failing?.slot === slot
        ? { ...current.failing }
        : { slot, attempts: 0, retryAt: 0, notified: current.failing?.notified ?? false };
    failing.attempts += 1;
    const tell = !failing.notified;
    failing.notified = true;
    if (failing.attempts >= MAX_ATTEMPTS) {
      await save({ ...current, handled: slot, failing: undefined });
      log.error(
        { routine: spec.name, slot: new Date(slot).toISOString(), reason: result.reason },
        'routine run given up',
      );
    } else {
      failing.retryAt = this.deps.now() + retryDelay(failing.attempts);
      // Kept before the channel is told: a replica that dies in between does not tell it twice.
      await save({ ...current, failing });
      log.warn(
        {
          routine: spec.name,
          slot: new Date(slot).toISOString(),
          reason: result.reason,
          attempts: failing.attempts,
        },
        'routine run failed; will retry',
      );
    }
    if (tell)
      await this.deps
        .notify(spec, slot, { reason: result.reason, ...(result.text ? { text: result.text } : {}) })
        .catch((err) =>
          log.warn({ err, routine: spec.name }, 'could not tell the channel the routine failed'),
        );
    return failing.attempts >= MAX_ATTEMPTS;
  }
}

import { createRequire } from 'node:module';
import type { Cron } from 'croner';
import type { RoutineSpec } from '../deps.js';

/** croner, loaded with the first routine: a bot without routines never loads it. */
let CronClass: typeof Cron | undefined;
export function cronClass(): typeof Cron {
  CronClass ??= (createRequire(import.meta.url)('croner') as typeof import('croner')).Cron;
  return CronClass;
}

/**
 * When a routine's runs fall: croner reads the five cron fields in the routine's time zone
 * (daylight-saving changes included). Chosen over cron-parser for its zero dependencies, its
 * IANA time zones without a date library, and a steady release record (11.0.1, November 2026).
 * @see https://github.com/Hexagon/croner
 */
const crons = new Map<string, Cron>();

function cronOf(spec: Pick<RoutineSpec, 'schedule' | 'timezone'>): Cron {
  const key = `${spec.schedule}\u0000${spec.timezone}`;
  let cron = crons.get(key);
  if (!cron) {
    // Paused: croner only computes times here; the scheduler decides when to run.
    const CronOf = cronClass();
    cron = new CronOf(spec.schedule, { paused: true, timezone: spec.timezone, mode: '5-part' });
    if (crons.size > 500) crons.clear();
    crons.set(key, cron);
  }
  return cron;
}

/** The latest scheduled time at or before `now` (ms since the epoch), if any. */
export function latestSlot(
  spec: Pick<RoutineSpec, 'schedule' | 'timezone'>,
  now: number,
): number | undefined {
  // previousRuns excludes its reference time: one millisecond on includes a slot that is exactly now.
  return cronOf(spec)
    .previousRuns(1, new Date(now + 1))[0]
    ?.getTime();
}

/** The next scheduled time after `now`, if any. */
export function nextSlot(spec: Pick<RoutineSpec, 'schedule' | 'timezone'>, now: number): number | undefined {
  return cronOf(spec).nextRun(new Date(now))?.getTime();
}

/** A slot as people read it in the routine's time zone: "Mon 7 Dec 2026, 09:00 (Europe/Paris)". */
export function slotLabel(slot: number, timezone: string): string {
  const text = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(slot));
  return `${text} (${timezone})`;
}

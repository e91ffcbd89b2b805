import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { SlackSim } from '../../sandbox/slack/sim.js';
import { type RigOptions, startRig } from './rig.js';
import { until } from './until.js';

/** A clock a test moves by hand: routines see time pass only when it says so. */
export function testClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    /** The start of the minute `t` is in (a `* * * * *` slot). */
    minute: () => Math.floor(t / 60_000) * 60_000,
    set(ms: number) {
      t = ms;
    },
  };
}

/** A CLAUDE_PROFILES_FILE with these routines (YAML is JSON too), removed after the test. */
export function routinesFile(t: TestContext, routines: unknown[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'routines-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'profiles.json');
  writeFileSync(file, JSON.stringify({ routines }));
  return file;
}

/** #leads, where routines post: the bot and Alice are in it. */
export function addLeads(sim: SlackSim): string {
  sim.addConversation({ id: 'C0LEADS', name: 'leads', members: ['U0ALICE', sim.botUserId] });
  return 'C0LEADS';
}

/** A Slack ts `seconds` into the minute that starts at `minuteMs`. */
export const tsIn = (minuteMs: number, seconds: number) => `${minuteMs / 1000 + seconds}.000100`;

type SlotMeta = { event_payload?: { routine?: string; slot?: string; state?: string } } | undefined;

/**
 * The bot's messages of a routine's slots in `channel` (one per slot, whatever it shows now: the
 * plan while the digest is written, then the digest or the canvas's link), oldest first.
 */
export function slotMessages(sim: SlackSim, channel: string) {
  return sim
    .messages(channel)
    .filter((m) => m.user === sim.botUserId)
    .map((m) => ({ m, meta: m.metadata as SlotMeta }))
    .filter((d) => d.meta?.event_payload?.slot)
    .map((d) => ({
      message: d.m,
      slot: Number(d.meta?.event_payload?.slot),
      routine: d.meta?.event_payload?.routine,
      writing: d.meta?.event_payload?.state === 'writing',
    }));
}

/** The routine digests the bot posted in `channel` (finished: no longer showing their plan), with their slot. */
export function digests(sim: SlackSim, channel: string) {
  return slotMessages(sim, channel)
    .filter((d) => !d.writing)
    .map(({ message, slot, routine }) => ({ message, slot, routine }));
}

/** A message in #general `seconds` into the minute that starts at `minuteMs` (what a digest reads). */
export function seedGeneral(sim: SlackSim, minuteMs: number, seconds: number, text: string, user = 'U0BOB') {
  return sim.seedMessage({ channel: 'C0GENERAL', user, text, ts: tsIn(minuteMs, seconds) });
}

/** Resolves once a bot whose log is `logs` has scheduled its routines. */
export const scheduled = (logs: readonly string[]) =>
  until('the routine is scheduled', () => logs.some((l) => l.includes('routine scheduled')));

/** Resolves once a bot whose log is `logs` recorded a routine's run. */
export const ranIn = (logs: readonly string[], what = 'the run recorded') =>
  until(what, () => logs.some((l) => l.includes('"routine ran"')));

/** The notices of a failed run posted in `channel`. */
export const failureNotices = (sim: SlackSim, channel: string) =>
  sim.messages(channel).filter((m) => /could not write its digest/.test(m.text));

export interface RoutineRigOptions extends Omit<RigOptions, 'routines'> {
  /** The routines' clock (default a new one at now). */
  clock?: ReturnType<typeof testClock>;
  tickMs?: number;
  leaseMs?: number;
  /** False for a bot that comes after another (the routine's record is there: nothing is logged). */
  awaitScheduled?: boolean;
}

/**
 * The bot with these routines (CLAUDE_PROFILES_FILE) on a clock the test moves, #leads made, and
 * (unless told otherwise) its routines scheduled.
 */
export async function startRoutines(t: TestContext, routines: unknown[], opts: RoutineRigOptions = {}) {
  const { clock = testClock(), tickMs = 20, leaseMs, env, awaitScheduled = true, ...rest } = opts;
  const rig = await startRig(t, {
    ...rest,
    env: { CLAUDE_PROFILES_FILE: routinesFile(t, routines), ...env },
    routines: { now: clock.now, tickMs, ...(leaseMs ? { leaseMs } : {}) },
  });
  const leads = rig.sim.conversations().some((c) => c.id === 'C0LEADS') ? 'C0LEADS' : addLeads(rig.sim);
  if (awaitScheduled) await scheduled(rig.logs);
  return { ...rig, clock, leads };
}

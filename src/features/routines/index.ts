import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Config } from '../../config/config.js';
import { DEFAULT_LEASE_MS } from '../../limits/claims.js';
import type { Platform } from '../../platform/index.js';
import { CanvasWriter } from '../../slack/write/canvas.js';
import type { Digests, FeatureDeps } from '../deps.js';
import {
  FileRoutineBook,
  forgetRoutinesOf,
  MemoryRoutineBook,
  RedisRoutineBook,
  type RoutineBook,
} from './book.js';
import { failureNotice, runRoutine } from './run.js';
import { slotLabel } from './schedule.js';
import { RoutineProblem, RoutineScheduler } from './scheduler.js';
import { failedText } from './texts.js';

/** How often each replica looks for due routines: a run starts within this of its slot. */
const TICK_MS = 5_000;

export interface RoutineOptions {
  /** The routines' clock (tests drive it); default Date.now. */
  now?: () => number;
  tickMs?: number;
  leaseMs?: number;
}

/**
 * Routines (the profiles file's `routines:`): digests of a channel on a cron schedule, posted in
 * another channel or added to a canvas, each slot run once across replicas. Re-read with the
 * profiles file. Returns the scheduler; bot.ts starts and stops it.
 */
export function install(
  deps: FeatureDeps & { digests: Digests; routines?: RoutineOptions },
): RoutineScheduler {
  const { platform, slack, limits } = deps;
  const channels = channelNames(slack.readClient, () => slack.homeTeam());
  const runDeps = {
    digests: deps.digests,
    postClient: slack.postClient,
    quota: slack.pacer.quota,
    canvases: new CanvasWriter(slack.postClient),
    channels,
    teamId: () => slack.homeTeam(),
    log: platform.log,
    batchAll: deps.config.bot.routinesBatch,
  };
  const notifyFailure = async (
    spec: Parameters<typeof failureNotice>[0],
    slot: number,
    failure: { reason: string; text?: string },
  ) => {
    const source = await channels.labelOf(await channels.idOf(spec.summarize)).catch(() => spec.summarize);
    const text = failedText({
      routine: spec.name,
      source,
      when: slotLabel(slot, spec.timezone),
      why: failure.text,
    });
    await failureNotice(spec, runDeps, text);
  };
  const book = routineBook(deps.config, platform);
  // Uninstalling a workspace deletes what its routines kept (the last run, the canvas's id).
  deps.teamData.onForget('routines', ({ teamId }) =>
    forgetRoutinesOf(
      teamId,
      deps.profiles.routines(),
      book,
      // Routines without `team:` run only in a single workspace's bot.
      slack.workspaces.multi ? undefined : slack.homeTeam(),
    ),
  );
  return new RoutineScheduler({
    routines: () => deps.profiles.routines(),
    book,
    claims: limits.claims,
    // In its workspace, with that installation's token (installs in many workspaces).
    run: (run) =>
      slack.workspaces.run({ teamId: run.spec.team ?? slack.homeTeam() }, () => runRoutine(run, runDeps)),
    notify: (spec, slot, failure) =>
      slack.workspaces.run({ teamId: spec.team ?? slack.homeTeam() }, () =>
        notifyFailure(spec, slot, failure),
      ),
    now: deps.routines?.now ?? Date.now,
    tickMs: deps.routines?.tickMs ?? TICK_MS,
    leaseMs: deps.routines?.leaseMs ?? DEFAULT_LEASE_MS,
    log: platform.log,
  });
}

function routineBook(config: Config, platform: Platform): RoutineBook {
  if (platform.redis) return new RedisRoutineBook(platform.redis, config.redisKeyPrefix);
  if (config.stateDir) return new FileRoutineBook(config.stateDir);
  return new MemoryRoutineBook();
}

/**
 * Channels a routine names, by id or #name: names are looked up among the conversations the bot
 * is in (users.conversations), since it can read and post only there. Remembered for 10 minutes,
 * per workspace (`team()`: the workspace the current run is for): #general is another channel in
 * each.
 */
function channelNames(client: WebClient, team: () => string) {
  const byName = new LRUCache<string, string>({ max: 1000, ttl: 10 * 60_000 });
  const byId = new LRUCache<string, string>({ max: 1000, ttl: 10 * 60_000 });
  const load = async () => {
    let cursor: string | undefined;
    do {
      const r = await client.users.conversations({
        types: 'public_channel,private_channel',
        exclude_archived: true,
        limit: 200,
        cursor,
      });
      for (const c of r.channels ?? []) {
        if (c.id && c.name) {
          byName.set(`${team()}:${c.name}`, c.id);
          byId.set(`${team()}:${c.id}`, `#${c.name}`);
        }
      }
      cursor = r.response_metadata?.next_cursor || undefined;
    } while (cursor);
  };
  return {
    async idOf(ref: string): Promise<string> {
      if (!ref.startsWith('#')) return ref;
      const name = `${team()}:${ref.slice(1)}`;
      if (!byName.has(name)) await load();
      const id = byName.get(name);
      if (!id) throw new RoutineProblem(`I’m not in ${ref}, or there is no such channel: invite me there.`);
      return id;
    },
    async labelOf(id: string): Promise<string> {
      const known = byId.get(`${team()}:${id}`);
      if (known) return known;
      const r = await client.conversations.info({ channel: id });
      const label = r.channel?.name ? `#${r.channel.name}` : id;
      byId.set(`${team()}:${id}`, label);
      return label;
    },
  };
}

import type Keyv from 'keyv';
import type { Logger } from './logger.js';
import { isCluster, type RedisClient } from './redis.js';

/** A workspace (or, for an org-wide install, an organization) whose data is to go. */
export interface TeamRef {
  teamId: string;
  /** Set for an organization's install (Enterprise Grid): its org-wide installation goes too. */
  enterpriseId?: string;
  /** The organization's own install was removed (org-wide uninstall), not one workspace's. */
  enterpriseInstall?: boolean;
}

/** Deletes what one part of the bot keeps of a workspace. */
export type ForgetTeam = (team: TeamRef) => Promise<unknown>;

/**
 * What uninstalling deletes: every part of the bot that keeps something of a workspace adds a hook
 * here (`onForget`), and `app_uninstalled` / `tokens_revoked` run them all. Besides the hooks, every
 * key in Redis and in the key-value store that names the team as one of its `:`-separated parts
 * (`scb:claim:T0123:C0456:…`) is deleted: name a workspace's keys that way and they need no hook.
 */
export class TeamData {
  private readonly hooks = new Map<string, ForgetTeam>();

  constructor(private readonly sweep: { redis?: RedisClient; prefix: string; store?: Keyv; log: Logger }) {}

  /** Adds `forget` (named for the logs) to what uninstalling a workspace deletes. */
  onForget(name: string, forget: ForgetTeam): void {
    if (this.hooks.has(name)) throw new Error(`a forget hook named ${name} exists already`);
    this.hooks.set(name, forget);
  }

  /** Runs every hook, then sweeps the keys naming the team; a failing hook is logged, the rest still run. */
  async forget(team: TeamRef): Promise<{ failed: string[]; keys: number }> {
    const { log } = this.sweep;
    const failed: string[] = [];
    for (const [name, forget] of this.hooks) {
      try {
        await forget(team);
      } catch (err) {
        failed.push(name);
        log.error({ err, team: team.teamId, part: name }, 'could not delete a workspace’s data');
      }
    }
    let keys = 0;
    try {
      keys += await this.sweepRedis(team.teamId);
      keys += await this.sweepStore(team.teamId);
    } catch (err) {
      failed.push('keys');
      log.error({ err, team: team.teamId }, 'could not delete a workspace’s keys');
    }
    return { failed, keys };
  }

  private async sweepRedis(teamId: string): Promise<number> {
    const { redis, prefix } = this.sweep;
    if (!redis || !teamId) return 0;
    let deleted = 0;
    // A cluster's keys are spread over its primaries: each is scanned, and each key deleted on its
    // own (one DEL of keys in different hash slots is refused).
    for (const node of isCluster(redis) ? redis.nodes('master') : [redis]) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(
          cursor,
          'MATCH',
          `${globSafe(prefix)}*${globSafe(teamId)}*`,
          'COUNT',
          500,
        );
        cursor = next;
        const ours = found.filter((k) => namesTeam(k, teamId));
        if (!ours.length) continue;
        if (isCluster(redis)) for (const key of ours) deleted += await redis.del(key);
        else deleted += await redis.del(...ours);
      } while (cursor !== '0');
    }
    return deleted;
  }

  /** The in-memory store (no Redis): its keys are walked the same way. */
  private async sweepStore(teamId: string): Promise<number> {
    const { store, redis } = this.sweep;
    if (!store || redis || !teamId || !store.iterator) return 0;
    const doomed: string[] = [];
    for await (const [key] of store.iterator(undefined))
      if (namesTeam(String(key), teamId)) doomed.push(String(key));
    if (doomed.length) await store.deleteMany(doomed);
    return doomed.length;
  }
}

/**
 * Whether `key` has `teamId` as one of its `:`-separated parts, a hash tag's braces aside
 * (`scb:claim:{T0123}:…`, `scb:slack-quota:{start:T0123}`: see platform/redis.ts `tagged`).
 */
export function namesTeam(key: string, teamId: string): boolean {
  return key.split(':').some((part) => part.replace(/^\{|\}$/g, '') === teamId);
}

/** Escapes Redis glob characters. */
function globSafe(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

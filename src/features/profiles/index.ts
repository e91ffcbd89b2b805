import { unwatchFile, watchFile } from 'node:fs';
import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { ClaudeProfile } from '../../claude/profile.js';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../platform/logger.js';
import type { Metrics } from '../../platform/metrics.js';
import { slackErrorCode } from '../../slack/web.js';
import type { ProfilePlace as Place, ProfileResolver, ProfileSummary, RoutineSpec } from '../deps.js';
import { type EnvDefaults, matchProfile, needsNames, resolveProfile } from './match.js';
import { loadProfiles, type ProfileSet } from './schema.js';

/** How long a channel's name and Slack Connect status are remembered. */
const CHANNEL_TTL_MS = 10 * 60 * 1000;
const CHANNEL_CACHE_MAX = 10_000;
/** How often the profiles file is checked for changes. */
const WATCH_INTERVAL_MS = 10_000;

interface ChannelFacts {
  name?: string;
  external: boolean;
}

/**
 * The profiles of CLAUDE_PROFILES_FILE: which settings Claude is asked with in each channel.
 * Without the file every place gets the environment settings, with no Slack call.
 */
export class Profiles implements ProfileResolver {
  private set: ProfileSet | undefined;
  private readonly env: EnvDefaults;
  private readonly channels = new LRUCache<string, ChannelFacts>({
    max: CHANNEL_CACHE_MAX,
    ttl: CHANNEL_TTL_MS,
  });
  private watching = false;

  constructor(
    private readonly config: Config,
    private readonly client: Pick<WebClient, 'conversations'>,
    private readonly log: Logger,
    /** Counts the re-reads (slackbot_profiles_reloads_total), so a rejected edit can alert. */
    private readonly reloads?: Pick<Metrics['profileReloads'], 'inc'>,
  ) {
    this.env = {
      model: config.claude.model,
      maxTokens: config.claude.maxTokens,
      contextTokens: config.claude.contextTokens,
      systemPrompt: config.bot.systemPrompt,
      cacheTtlSeconds: config.cacheTtlSeconds,
      userTokensPerDay: config.claude.userTokensPerDay,
      memory: true,
      // The setting of before profiles could say it: the default of `follow_threads`.
      followThreads: config.bot.answerThreadFollowups,
    };
  }

  /** Reads the file at start; throws a ProfileError (one line) when it is wrong. */
  load(): void {
    const file = this.config.profilesFile;
    if (!file) return;
    this.set = loadProfiles(file);
    this.log.info(
      {
        file,
        profiles: this.set.profiles.map((p) => p.name),
        routines: this.set.routines.map((r) => r.name),
      },
      'profiles loaded',
    );
  }

  /** Reads the file again; a bad file keeps the profiles in effect and logs why. */
  reload(reason: string): boolean {
    const file = this.config.profilesFile;
    if (!file) return false;
    try {
      this.set = loadProfiles(file);
      // Takes effect at once: a channel shared with another organization since it was last read
      // must not keep a profile's tools for the rest of CHANNEL_TTL_MS.
      this.channels.clear();
      this.log.info({ reason, profiles: this.set.profiles.map((p) => p.name) }, 'profiles reloaded');
      this.reloads?.inc({ result: 'ok' });
      return true;
    } catch (err) {
      this.reloads?.inc({ result: 'rejected' });
      this.log.error(
        { reason, error: (err as Error).message },
        'profiles not reloaded; keeping the current ones',
      );
      return false;
    }
  }

  /** Re-reads the file when it changes. */
  watch(intervalMs = WATCH_INTERVAL_MS): void {
    const file = this.config.profilesFile;
    if (!file || this.watching) return;
    this.watching = true;
    watchFile(file, { interval: intervalMs }, () => this.reload('file changed'));
  }

  unwatch(): void {
    if (this.watching && this.config.profilesFile) unwatchFile(this.config.profilesFile);
    this.watching = false;
  }

  routines(): RoutineSpec[] {
    return this.set?.routines ?? [];
  }

  /** The suggested prompts of the profile that applies to DMs, if it names any. */
  dmPrompts(): string[] | undefined {
    const set = this.set;
    return resolveProfile(set, matchProfile(set, { channelId: '', dm: true }), this.env, false)
      .suggestedPrompts;
  }

  async forPlace(place: Place): Promise<ClaudeProfile> {
    const set = this.set;
    const dm = place.kind === 'dm';
    let facts: ChannelFacts | undefined;
    if (!dm && needsNames(set)) facts = await this.facts(place.channelId);
    const teamId = place.teamId;
    let matched = matchProfile(set, { channelId: place.channelId, dm, name: facts?.name, teamId });
    let resolved = resolveProfile(set, matched, this.env, false);
    const tools = resolved.webSearch || resolved.webFetch || resolved.mcpServers || resolved.workspaceSearch;
    if (!dm && tools && !matched?.explicit) {
      // Tools may carry a channel's content out: never in a shared channel not named explicitly.
      facts ??= await this.facts(place.channelId);
      matched = matchProfile(set, { channelId: place.channelId, dm, name: facts.name, teamId });
      resolved = resolveProfile(set, matched, this.env, facts.external);
    }
    return resolved;
  }

  list(): ProfileSummary[] {
    const set = this.set;
    const summary = (p: ClaudeProfile, channels: string[]) => ({
      name: p.name,
      channels,
      model: p.model,
      tools: [
        ...[
          p.webSearch && 'web_search',
          p.webFetch && 'web_fetch',
          p.workspaceSearch && 'workspace_search',
        ].filter((t): t is string => !!t),
        ...(p.mcpServers ?? []).map((m) => `MCP ${m.name}`),
      ],
    });
    return [
      ...(set?.profiles ?? []).map((p) =>
        summary(resolveProfile(set, { profile: p, explicit: true }, this.env, false), p.channels),
      ),
      summary(resolveProfile(set, undefined, this.env, false), ['*']),
    ];
  }

  /** The channel's name and whether it is shared with other organizations; unknown = shared. */
  private async facts(channel: string): Promise<ChannelFacts> {
    const cached = this.channels.get(channel);
    if (cached) return cached;
    try {
      const r = await this.client.conversations.info({ channel });
      const c = r.channel as { name?: string; is_ext_shared?: boolean; is_pending_ext_shared?: boolean };
      const facts = { name: c?.name, external: Boolean(c?.is_ext_shared || c?.is_pending_ext_shared) };
      this.channels.set(channel, facts);
      return facts;
    } catch (err) {
      // Not cached: asked again next time. Unknown counts as shared, the safe side for tools.
      this.log.warn({ channel, code: slackErrorCode(err) }, 'could not read the channel for its profile');
      return { external: true };
    }
  }
}

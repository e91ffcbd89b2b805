import type { ClaudeProfile } from '../../claude/profile.js';
import type { Profile, ProfileSet, ProfileSettings } from './schema.js';

/** Where a question is asked, as much as matching needs. */
export interface ProfilePlace {
  channelId: string;
  dm: boolean;
  /** The workspace: a profile with `team:` matches only there. */
  teamId?: string;
  /** The channel's name without `#`; undefined when unknown (name patterns then do not match). */
  name?: string;
}

/** What the bot falls back to for unset fields: the environment settings. */
export type EnvDefaults = Omit<
  ClaudeProfile,
  'name' | 'webSearch' | 'webFetch' | 'workspaceSearch' | 'budgetPool' | 'models'
>;

/** Whether any profile names channels by name: only then is a channel's name looked up. */
export function needsNames(set: ProfileSet | undefined): boolean {
  return !!set?.profiles.some((p) => p.channels.some((c) => c.startsWith('#')));
}

/** How a channel entry matches: `explicit` when it names the channel by its id. */
function matches(entry: string, place: ProfilePlace): 'explicit' | 'yes' | 'no' {
  if (entry === 'dm') return place.dm ? 'yes' : 'no';
  if (!entry.startsWith('#')) return entry === place.channelId ? 'explicit' : 'no';
  if (place.dm || place.name === undefined) return 'no';
  const name = entry.slice(1);
  if (!name.endsWith('*')) return name === place.name ? 'explicit' : 'no';
  return place.name.startsWith(name.slice(0, -1)) ? 'yes' : 'no';
}

/**
 * The first profile whose channels match the place, and whether it names this channel itself
 * (by id or exact name: a pattern or `dm` does not). Undefined when none matches.
 */
export function matchProfile(
  set: ProfileSet | undefined,
  place: ProfilePlace,
): { profile: Profile; explicit: boolean } | undefined {
  for (const profile of set?.profiles ?? []) {
    if (profile.team !== undefined && profile.team !== place.teamId) continue;
    let found: 'explicit' | 'yes' | 'no' = 'no';
    for (const entry of profile.channels) {
      found = matches(entry, place);
      if (found !== 'no') break;
    }
    if (found !== 'no') return { profile, explicit: found === 'explicit' };
  }
  return undefined;
}

/**
 * The settings Claude is asked with: the profile's own, then the file's `default:`, then the
 * environment. Tools stay off in channels shared with other organizations unless the profile
 * names the channel explicitly.
 */
export function resolveProfile(
  set: ProfileSet | undefined,
  matched: { profile: Profile; explicit: boolean } | undefined,
  env: EnvDefaults,
  external: boolean,
): ClaudeProfile & Pick<ProfileSettings, 'suggestedPrompts'> {
  const own: ProfileSettings = matched?.profile ?? {};
  const d = set?.defaults ?? {};
  const toolsAllowed = !external || !!matched?.explicit;
  // Each server keeps the token of the profile (or default) that declares it.
  const mcp = (own.mcpServers ?? d.mcpServers)?.map((m) => ({ ...m }));
  const tool = (k: 'webSearch' | 'webFetch') => {
    const t = own[k] ?? d[k];
    return t && toolsAllowed ? t : undefined;
  };
  const search = own.workspaceSearch ?? d.workspaceSearch;
  return {
    name: matched?.profile.name ?? 'default',
    model: own.model ?? d.model ?? env.model,
    maxTokens: own.maxTokens ?? d.maxTokens ?? env.maxTokens,
    contextTokens: own.contextTokens ?? d.contextTokens ?? env.contextTokens,
    systemPrompt: own.systemPrompt ?? d.systemPrompt ?? env.systemPrompt,
    webSearch: tool('webSearch'),
    webFetch: tool('webFetch'),
    ...(search && toolsAllowed ? { workspaceSearch: search } : {}),
    ...(mcp?.length && toolsAllowed ? { mcpServers: mcp } : {}),
    cacheTtlSeconds: own.cacheTtlSeconds ?? d.cacheTtlSeconds ?? env.cacheTtlSeconds,
    userTokensPerDay: own.userTokensPerDay ?? d.userTokensPerDay ?? env.userTokensPerDay,
    // A profile with its own daily budget counts on its own; the rest share one count.
    budgetPool: own.userTokensPerDay !== undefined && matched ? matched.profile.name : '',
    suggestedPrompts: own.suggestedPrompts ?? d.suggestedPrompts,
    memory: own.memory ?? d.memory ?? env.memory ?? true,
    followThreads: own.followThreads ?? d.followThreads ?? env.followThreads ?? false,
    models: own.models ?? d.models ?? [],
  };
}

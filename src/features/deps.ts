import type { AskPipeline } from '../ask/pipeline.js';
import type { ClaudeProfile } from '../claude/profile.js';
import type { SharedFileReader } from '../claude/shared-files.js';
import type { Config } from '../config/config.js';
import type { Limits } from '../limits/index.js';
import type { Platform } from '../platform/index.js';
import type { AccessPolicy } from '../slack/access.js';
import type { Slack } from '../slack/index.js';
import type { SlackFile } from '../slack/read/file-kinds.js';

/** What every feature's install(app, deps) is given: the layers below it, already built. */
export interface FeatureDeps {
  config: Config;
  platform: Platform;
  limits: Limits;
  slack: Slack;
  /** Who may use the bot (allow-lists, shared channels). */
  access: AccessPolicy;
  /** The settings Claude is asked with in each channel. */
  profiles: ProfileResolver;
  /** The one path from a person's question to Claude (profile, budget, waiting room, the call, spend). */
  ask: AskPipeline;
  /** Turns files shared in a conversation into what Claude reads (downloaded by slack/). */
  files: SharedFileReader<SlackFile>;
  now?: () => Date;
}

/** Where a question is asked, as a profile is chosen. */
export interface ProfilePlace {
  channelId: string;
  kind: 'channel' | 'dm';
}

/** Which settings Claude is asked with in a place (CLAUDE_PROFILES_FILE; the environment without it). */
export interface ProfileResolver {
  forPlace(place: ProfilePlace): Promise<ClaudeProfile>;
  /** The profiles in effect, in matching order, then the fallback (`default`, channels `*`). */
  list(): ProfileSummary[];
}

export interface ProfileSummary {
  name: string;
  channels: string[];
  model: string;
  /** Server-side tools turned on (`web_search`, `web_fetch`). */
  tools: string[];
}

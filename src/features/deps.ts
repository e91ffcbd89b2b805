import type { AskPipeline } from '../ask/pipeline.js';
import type { AskFailure } from '../ask/types.js';
import type { ClaudeProfile } from '../claude/profile.js';
import type { SharedFileReader } from '../claude/shared-files.js';
import type { Config } from '../config/config.js';
import type { Limits } from '../limits/index.js';
import type { Platform } from '../platform/index.js';
import type { TeamData } from '../platform/team-data.js';
import type { AccessPolicy } from '../slack/access.js';
import type { Slack } from '../slack/index.js';
import type { SlackFile } from '../slack/read/file-kinds.js';
import type { PlanTask } from '../slack/write/plan-stream.js';

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
  /**
   * What uninstalling a workspace deletes (`app_uninstalled`, `tokens_revoked`): a feature that
   * keeps anything of a workspace adds `teamData.onForget('name', ({ teamId }) => …)`, or names
   * its Redis and store keys with the team id as one `:`-separated part, which are swept anyway.
   */
  teamData: TeamData;
  now?: () => Date;
}

/** Where a question is asked, as a profile is chosen. */
export interface ProfilePlace {
  channelId: string;
  kind: 'channel' | 'dm';
  /** The workspace (profiles with `team:` apply only there). */
  teamId?: string;
}

/** Which settings Claude is asked with in a place (CLAUDE_PROFILES_FILE; the environment without it). */
export interface ProfileResolver {
  forPlace(place: ProfilePlace): Promise<ClaudeProfile>;
  /** The profiles in effect, in matching order, then the fallback (`default`, channels `*`). */
  list(): ProfileSummary[];
  /** The routines of the profiles file in effect (re-read with it). */
  routines(): RoutineSpec[];
}

/**
 * Scheduled work from the profiles file's `routines:` (docs/profiles.md): a digest of one channel,
 * posted (or added to a canvas) in another on a cron schedule.
 */
export interface RoutineSpec {
  name: string;
  /** Five cron fields (minute hour day-of-month month day-of-week). */
  schedule: string;
  /** IANA time zone the schedule is read in (default UTC). */
  timezone: string;
  /** The channel summarized: an id (C…) or #name. */
  summarize: string;
  /** What each run reads; unset: everything since the last run. */
  window?: { seconds: number; text: string } | { count: number; text: string };
  /** Where the digest goes: an id or #name. */
  postTo: string;
  /** The workspace it runs in, with its token (installs in many workspaces); unset: the bot's one workspace. */
  team?: string;
  as: 'message' | 'canvas';
  /** Asked of each digest besides the usual. */
  prompt?: string;
  /** Through the Message Batches API (half the price, within 24 hours); unset: ROUTINES_BATCH. */
  batch?: boolean;
}

export interface ProfileSummary {
  name: string;
  channels: string[];
  model: string;
  /** Server-side tools turned on (`web_search`, `web_fetch`). */
  tools: string[];
}

/** A channel's digest, written by the summaries feature for another one (routines). */
export interface DigestRequest {
  ref: string;
  teamId: string;
  /** The channel summarized: its profile, budget and limits apply. */
  channelId: string;
  channelName?: string;
  /** Whose budget the Claude calls count against (a routine's own name). */
  userId: string;
  /** Between two times (seconds since the epoch), or the last `count` messages. */
  window: { oldest: number; latest: number } | { count: number };
  /** How the window reads in the title ("since Mon 09:00"). */
  label: string;
  /** Asked of the summary besides the usual. */
  instructions?: string;
  /** Aborted when the process stops. */
  signal?: AbortSignal;
  /** Through the Message Batches API: half the price, answered within 24 hours. */
  batch?: boolean;
  /**
   * The plan as it advances (read, each part, writing; a task in error when it fails), as
   * /summarize shows it; only once the window has messages. `milestone`: worth showing (the plan
   * known, half way, writing), as the summaries' private lines are spaced.
   */
  progress?(change: { tasks: readonly PlanTask[]; milestone: boolean }): void;
  /** Where the finished digest goes; its failure fails the digest. */
  deliver(digest: Digest): Promise<void>;
}

/** A digest once written, formatted for Slack. */
export interface Digest {
  title: string;
  /** Slack markdown, every point linked to its messages. */
  markdown: string;
  /** Coverage and files, in mrkdwn (Slack date tokens). */
  coverage: string;
  /** Coverage in plain text (UTC times), where mrkdwn does not render (canvases). */
  coveragePlain: string;
  messages: number;
}

/** How a digest ended: delivered, nothing to summarize, or a failure (`text`: what the person would read). */
export type DigestOutcome =
  | { ok: true; delivered: boolean }
  | { ok: false; failure: AskFailure; text: string | undefined };

/** Digests on the same path as /summarize: the ask pipeline's summary lane, the channel's profile. */
export interface Digests {
  write(request: DigestRequest): Promise<DigestOutcome>;
  /** The workspace's URL (auth.test), for links. */
  workspaceUrl(): Promise<string>;
  /** The metadata event_type of the bot's summary posts: later summaries leave them out. */
  readonly eventType: string;
}

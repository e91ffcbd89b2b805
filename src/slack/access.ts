import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/config.js';
import type { Logger } from '../platform/logger.js';
import type { AnswerJob } from './job.js';
import type { UserDirectory } from './read/directory.js';
import { callOnce, slackErrorCode } from './web.js';

/** Why the bot is not enabled for a request. */
export type Denial = 'team' | 'organization' | 'channel' | 'user' | 'external' | 'unverified';

/** Who asks where: what the allow-lists look at. */
export interface AccessRequest {
  /** The workspace that sent the request (the receiving one, in a shared channel). */
  teamId: string;
  /**
   * The person's own workspace: `user_team` on events, `user.team_id` in shortcuts. Unset (slash
   * commands carry none): asked of users.info when ALLOWED_TEAM_IDS is set.
   */
  userTeamId?: string;
  channelId: string;
  userId: string;
  /** DMs are governed by the team and user lists, not by ALLOWED_CHANNEL_IDS. */
  dm: boolean;
}

/** What the person is told, privately, instead of an answer. */
export const NOT_ENABLED_TEXT: Record<Denial, string> = {
  team: 'I’m not enabled in this workspace.',
  organization: 'I’m not enabled for people from your organization.',
  channel: 'I’m not enabled in this channel.',
  user: 'I’m not enabled for you. Ask whoever runs this bot if you need it.',
  external: 'I’m not enabled in channels shared with other organizations.',
  unverified:
    'I could not check with Slack whether I’m enabled here for you, so I’m not answering. Please try again later.',
};

/** How long whether a channel is shared with other organizations is remembered. */
const EXTERNAL_TTL_MS = 10 * 60 * 1000;
const EXTERNAL_CACHE_MAX = 10_000;

/**
 * The optional allow-lists (ALLOWED_TEAM_IDS, ALLOWED_CHANNEL_IDS, ALLOWED_USER_IDS) and the
 * exclusion of Slack Connect channels (EXCLUDE_EXTERNAL_CHANNELS, `is_ext_shared` from
 * conversations.info, cached). Empty lists restrict nothing.
 */
export class AccessPolicy {
  private readonly teams: Set<string>;
  private readonly channels: Set<string>;
  private readonly users: Set<string>;
  private readonly external: LRUCache<string, boolean>;

  constructor(
    private readonly settings: Config['access'],
    private readonly client: Pick<WebClient, 'conversations'>,
    private readonly people: Pick<UserDirectory, 'person'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.teams = new Set(settings.teamIds);
    this.channels = new Set(settings.channelIds);
    this.users = new Set(settings.userIds);
    this.external = new LRUCache({ max: EXTERNAL_CACHE_MAX, ttl: EXTERNAL_TTL_MS, perf: { now } });
  }

  /** True when any list or the external exclusion is set. */
  get restricted(): boolean {
    return this.teams.size + this.channels.size + this.users.size > 0 || this.settings.excludeExternal;
  }

  /** Undefined when the bot may answer; otherwise why not. Never throws. */
  async check(req: AccessRequest): Promise<Denial | undefined> {
    if (this.teams.size && !this.teams.has(req.teamId)) return 'team';
    if (this.teams.size) {
      // In a shared channel the sender's workspace is allowed but the person may come from another.
      const home = req.userTeamId ?? (await this.people.person(req.userId))?.teamId;
      if (home === undefined) return 'unverified';
      if (!this.teams.has(home)) return 'organization';
    }
    if (!req.dm && this.channels.size && !this.channels.has(req.channelId)) return 'channel';
    if (this.users.size && !this.users.has(req.userId)) return 'user';
    if (this.settings.excludeExternal && !req.dm) {
      const external = await this.isExternal(req.channelId);
      if (external === undefined) return 'unverified';
      if (external) return 'external';
    }
    return undefined;
  }

  /**
   * Checks every channel a request touches (where it was asked, and a linked thread's channel) within
   * `ms`: acks must be fast, so a slow Slack gives 'unverified'.
   */
  async checkAll(
    req: Omit<AccessRequest, 'channelId' | 'dm'>,
    channelIds: string[],
    ms: number,
  ): Promise<Denial | undefined> {
    if (!this.restricted) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Denial>((resolve) => {
      timer = setTimeout(() => resolve('unverified'), ms);
    });
    const all = (async () => {
      for (const channelId of new Set(channelIds)) {
        // D… ids are DMs; group DMs (G…/C…) count as channels.
        const denial = await this.check({ ...req, channelId, dm: channelId.startsWith('D') });
        if (denial) return denial;
      }
      return undefined;
    })();
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whether the channel has members from other organizations; undefined when Slack did not say. */
  private async isExternal(channel: string): Promise<boolean | undefined> {
    const cached = this.external.get(channel);
    if (cached !== undefined) return cached;
    try {
      const r = await this.client.conversations.info({ channel });
      const c = r.channel as { is_ext_shared?: boolean; is_pending_ext_shared?: boolean } | undefined;
      const external = Boolean(c?.is_ext_shared || c?.is_pending_ext_shared);
      this.external.set(channel, external);
      return external;
    } catch (err) {
      // Not cached: the next message asks again. Refusing is the safe side of "unknown".
      this.log.warn(
        { channel, code: slackErrorCode(err) },
        'could not check whether the channel is external',
      );
      return undefined;
    }
  }
}

/**
 * The exactly-once claims the gate needs to say a note once (limits' claim store satisfies it;
 * slack/ declares its own view so it does not depend on limits/).
 */
export interface NoteClaims {
  /** True when this caller now owns `key` (for `ttlMs`). */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

/** Longest wait for Slack to say whether a channel is external before a message is refused. */
const GATE_CHECK_MS = 5000;
/** A redelivered event must not repeat the note: its claim is kept this long. */
const NOTE_KEEP_MS = 6 * 60 * 60 * 1000;

/**
 * The message listener's gate: true when the bot may answer the job; otherwise the person gets
 * the reason as an ephemeral message (once per event, also across replicas) and Claude is not called.
 */
export function accessGate(
  policy: AccessPolicy,
  deps: { claims: NoteClaims; postClient: WebClient; log: Logger },
): ((job: AnswerJob) => Promise<boolean>) | undefined {
  if (!policy.restricted) return undefined;
  return async (job) => {
    const { place } = job;
    // No `user_team` on the event: the person's workspace is asked of Slack (users.info), never
    // taken to be the channel's, which in a Slack Connect channel it need not be.
    const { userTeamId } = job;
    // Bounded: the read client waits out Slack rate limits, which could hold a question for minutes.
    const denial =
      place.kind === 'dm'
        ? await policy.check({
            teamId: place.teamId,
            userTeamId,
            channelId: place.channelId,
            userId: job.userId,
            dm: true,
          })
        : await policy.checkAll(
            { teamId: place.teamId, userTeamId, userId: job.userId },
            [place.channelId],
            GATE_CHECK_MS,
          );
    if (!denial) return true;
    const log = deps.log.child({ ref: job.eventId, channel: place.channelId, user: job.userId });
    log.info({ denial }, 'not enabled here; told the person');
    if (
      !(await deps.claims.claim(`notice:${place.teamId}:${place.channelId}:${job.messageTs}`, NOTE_KEEP_MS))
    )
      return false;
    await callOnce(() =>
      deps.postClient.chat.postEphemeral({
        channel: place.channelId,
        user: job.userId,
        text: NOT_ENABLED_TEXT[denial],
        ...(place.threadTs !== job.messageTs ? { thread_ts: place.threadTs } : {}),
      }),
    ).catch((err) => log.warn({ code: slackErrorCode(err) }, 'could not post the not-enabled note'));
    return false;
  };
}

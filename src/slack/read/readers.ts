import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { slackErrorCode } from '../web.js';
import type { UserDirectory } from './directory.js';

/** A page of users.conversations: Slack's largest (999). */
const PAGE = 999;
/**
 * Pages read for one person. Guests are in a handful of conversations; someone in more than this
 * cannot be checked, and is refused (the safe side).
 */
const MAX_PAGES = 3;
/** How long a person's conversations are remembered, and for how many people. */
const TTL_MS = 5 * 60 * 1000;
const CACHE_MAX = 1000;

/**
 * Whether a person may read a channel through the bot, the way Slack would let them: full members
 * of the installing workspace as Slack lets them (public channels; callers refuse private ones);
 * guests, and people from another organization (Slack Connect, or a workspace Slack would not
 * name), only the channels they are a member of (users.conversations with `user=`, paged, cached).
 * Bounded: one users.info and at most MAX_PAGES users.conversations calls per person per TTL_MS.
 */
export class Readers {
  private readonly joined = new Map<string, { ids: Set<string>; until: number }>();

  constructor(
    private readonly people: Pick<UserDirectory, 'person'>,
    private readonly client: Pick<WebClient, 'users'>,
    private readonly log: Logger,
    /** The installing workspace (auth.test's team_id); '' until the bot connected. */
    private readonly homeTeam: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `userId` may read `channelId`; undefined when Slack could not say. */
  async canRead(userId: string, channelId: string): Promise<boolean | undefined> {
    const person = await this.people.person(userId);
    if (!person) return undefined;
    if (!person.guest && person.teamId === this.homeTeam()) return true;
    return (await this.conversationsOf(userId))?.has(channelId);
  }

  /**
   * Whether the person comes from outside the installing workspace: true for another
   * organization's member in a Slack Connect conversation, false for the workspace's own people,
   * undefined when Slack could not say (callers take that as outside). `userTeamId` is the team a
   * payload names for the person (`user_team`, `user.team_id`); without it users.info is asked.
   */
  async outsider(userId: string, userTeamId?: string): Promise<boolean | undefined> {
    const home = this.homeTeam();
    if (!home) return undefined;
    const team = userTeamId ?? (await this.people.person(userId))?.teamId;
    return team === undefined ? undefined : team !== home;
  }

  private async conversationsOf(userId: string): Promise<Set<string> | undefined> {
    const hit = this.joined.get(userId);
    if (hit && hit.until > this.now()) return hit.ids;
    const ids = new Set<string>();
    let cursor: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await this.client.users.conversations({
          user: userId,
          // Slack's default is public channels only. DMs and group DMs would need im:read and
          // mpim:read, which the bot does not have; links to them are refused before this anyway.
          types: 'public_channel,private_channel',
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        });
        for (const c of r.channels ?? []) if (c.id) ids.add(c.id);
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
    } catch (err) {
      this.log.warn(
        { user: userId, code: slackErrorCode(err) },
        'could not list the conversations of a guest or outside person',
      );
      return undefined;
    }
    if (cursor) {
      this.log.warn({ user: userId, pages: MAX_PAGES }, 'a person in too many conversations to check');
      return undefined;
    }
    this.joined.delete(userId);
    if (this.joined.size >= CACHE_MAX) this.joined.delete(this.joined.keys().next().value as string);
    this.joined.set(userId, { ids, until: this.now() + TTL_MS });
    return ids;
  }
}

import type { WebClient } from '@slack/web-api';
import { LRUCache } from 'lru-cache';

/** What access checks need to know about a person, from users.info. */
export interface Person {
  /** The person's own workspace: another organization's for someone in a Slack Connect channel. */
  teamId: string;
  /**
   * A multi-channel (`is_restricted`) or single-channel (`is_ultra_restricted`) guest: reads only
   * the conversations they are a member of.
   * @see https://docs.slack.dev/reference/methods/users.info
   */
  guest: boolean;
}

interface Entry {
  name: string;
  /** The person's Slack language (`de-DE`), when Slack said. */
  locale?: string;
  /** Unset when Slack did not answer: names fall back to the id, access checks ask again. */
  person?: Person;
}

/**
 * Display names and guest status on demand (users.info), one cached entry per person: never
 * users.list, which starves Tier quotas in large workspaces.
 */
export class UserDirectory {
  private readonly entries: LRUCache<string, Entry>;
  /** Lookups under way: a burst of questions from one person costs one users.info call. */
  private readonly asking = new Map<string, Promise<Entry>>();

  constructor(
    private readonly client: Pick<WebClient, 'users'>,
    ttlMs = 60 * 60 * 1000,
    max = 5000,
  ) {
    this.entries = new LRUCache({ max, ttl: ttlMs });
  }

  async name(userId: string): Promise<string> {
    return (await this.entry(userId)).name;
  }

  /** The name already looked up for a person, without asking Slack; undefined if none yet. */
  knownName(userId: string): string | undefined {
    const hit = this.entries.get(userId);
    return hit && hit.name !== userId ? hit.name : undefined;
  }

  /** The person's Slack language (an IETF tag such as `de-DE`); undefined when Slack did not say. */
  async locale(userId: string): Promise<string | undefined> {
    return (await this.entry(userId)).locale;
  }

  /** Who the person is for access checks; undefined when Slack could not say (asked again next time). */
  async person(userId: string): Promise<Person | undefined> {
    const hit = await this.entry(userId);
    if (hit.person) return hit.person;
    this.entries.delete(userId);
    return (await this.entry(userId)).person;
  }

  private entry(userId: string): Promise<Entry> {
    const hit = this.entries.get(userId);
    if (hit) return Promise.resolve(hit);
    let asking = this.asking.get(userId);
    if (!asking) {
      asking = this.lookUp(userId).finally(() => this.asking.delete(userId));
      this.asking.set(userId, asking);
    }
    return asking;
  }

  private async lookUp(userId: string): Promise<Entry> {
    const entry: Entry = { name: userId };
    try {
      const { user } = await this.client.users.info({ user: userId, include_locale: true });
      const p = user?.profile;
      if (typeof user?.locale === 'string') entry.locale = user.locale;
      entry.name = p?.display_name || p?.real_name || user?.real_name || user?.name || userId;
      if (user?.team_id)
        entry.person = {
          teamId: user.team_id,
          guest: Boolean(user.is_restricted || user.is_ultra_restricted),
        };
    } catch {
      // An unknown or deactivated user still reads as their id.
    }
    this.entries.set(userId, entry);
    return entry;
  }
}

import type { WebClient } from '@slack/web-api';
import { slackErrorCode } from '../web.js';

/**
 * One message Slack's search found, in the shape assistant.search.context answers.
 * @see https://docs.slack.dev/reference/methods/assistant.search.context
 */
export interface SearchHit {
  authorId: string;
  authorIsBot: boolean;
  teamId: string;
  channelId: string;
  ts: string;
  text: string;
  permalink: string;
}

/** Why a search could not run, in words the caller maps to its text. */
export type SearchRefusal = 'no_scope' | 'token_refused' | 'failed';

/** A search Slack refused or that failed: `reason` says which, `code` is Slack's error. */
export class SearchError extends Error {
  override name = 'SearchError';
  constructor(
    readonly reason: SearchRefusal,
    readonly code: string | undefined,
  ) {
    super(`workspace search ${reason}${code ? ` (${code})` : ''}`);
  }
}

/** The kinds of conversation a search covers, and the scope each needs. */
export const SEARCH_SCOPES = {
  public_channel: 'search:read.public',
  private_channel: 'search:read.private',
  mpim: 'search:read.mpim',
  im: 'search:read.im',
} as const;

/** The channel types the granted scopes let a search cover (none: search is not possible). */
export function searchableTypes(granted: readonly string[]): string[] {
  return Object.entries(SEARCH_SCOPES)
    .filter(([, scope]) => granted.includes(scope))
    .map(([type]) => type);
}

/**
 * Searches the workspace's messages as the person whose action brought `actionToken` (Slack's
 * Real-time Search API): only what that person can read comes back. People's messages only.
 * @see https://docs.slack.dev/apis/web-api/real-time-search-api
 */
export async function searchMessages(
  client: Pick<WebClient, 'apiCall'>,
  q: { query: string; actionToken: string; channelTypes: readonly string[]; limit: number },
): Promise<SearchHit[]> {
  let r: { results?: { messages?: unknown[] } };
  try {
    r = (await client.apiCall('assistant.search.context', {
      query: q.query,
      action_token: q.actionToken,
      channel_types: q.channelTypes.join(','),
      content_types: 'messages',
      include_bots: false,
      limit: q.limit,
    })) as typeof r;
  } catch (err) {
    const code = slackErrorCode(err);
    throw new SearchError(
      code === 'missing_scope' || code === 'not_allowed_token_type'
        ? 'no_scope'
        : code === 'invalid_action_token'
          ? 'token_refused'
          : 'failed',
      code,
    );
  }
  const out: SearchHit[] = [];
  for (const raw of r.results?.messages ?? []) {
    const m = raw as Record<string, unknown>;
    const str = (k: string) => (typeof m[k] === 'string' ? (m[k] as string) : '');
    if (!str('channel_id') || !str('message_ts') || !/^https:\/\/|^http:\/\//.test(str('permalink')))
      continue;
    out.push({
      authorId: str('author_user_id'),
      authorIsBot: m.is_author_bot === true,
      teamId: str('team_id'),
      channelId: str('channel_id'),
      ts: str('message_ts'),
      text: str('content'),
      permalink: str('permalink'),
    });
  }
  return out.slice(0, q.limit);
}

/** What the bot knows of a conversation a result comes from, or an answer goes to. */
export interface ChannelKind {
  /** A public channel of the workspace: everyone in it can read it. False when Slack did not say. */
  public: boolean;
  /** Shared with another organization (Slack Connect): outsiders read what is posted there. */
  shared: boolean;
  name?: string;
}

const KIND_TTL_MS = 10 * 60 * 1000;
const KINDS_MAX = 2000;

/**
 * Whether conversations are public channels (conversations.info, cached ten minutes). A channel
 * the bot may not look at (a private one it is not in, a DM) answers an error: it counts as not
 * public, the safe side.
 */
export class ChannelKinds {
  private readonly known = new Map<string, { kind: ChannelKind; until: number }>();

  constructor(
    private readonly client: Pick<WebClient, 'conversations'>,
    private readonly now: () => number = Date.now,
  ) {}

  async of(channelId: string): Promise<ChannelKind> {
    const hit = this.known.get(channelId);
    if (hit && hit.until > this.now()) return hit.kind;
    let kind: ChannelKind = { public: false, shared: true };
    try {
      const c = (await this.client.conversations.info({ channel: channelId })).channel;
      kind = {
        public: !!c && c.is_channel === true && !c.is_private && !c.is_im && !c.is_mpim,
        shared: !!(c?.is_ext_shared || c?.is_pending_ext_shared),
        ...(c?.name ? { name: c.name } : {}),
      };
    } catch {
      // Not visible to the bot: private to it, and possibly shared.
    }
    if (this.known.size >= KINDS_MAX) this.known.delete(this.known.keys().next().value as string);
    this.known.set(channelId, { kind, until: this.now() + KIND_TTL_MS });
    return kind;
  }
}

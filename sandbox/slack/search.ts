/**
 * Slack's Real-time Search API as the simulated workspace serves it: `assistant.search.context`
 * searches messages with the asking person's own access, in answer to that person's action,
 * proven by the `action_token` Slack puts on the message events it sends.
 * @see https://docs.slack.dev/reference/methods/assistant.search.context
 * @see https://docs.slack.dev/apis/web-api/real-time-search-api (formerly the Data Access API)
 */
import { randomBytes } from 'node:crypto';
import { type ApiContext, decodeCursor, encodeCursor, fail, intArg, strArg } from './shapes.js';
import type { SimState } from './state.js';
import type { ApiResult, SimConversation, SimMessage } from './types.js';

/**
 * How long an action_token is good for. Slack's guide calls it a short-lived, ephemeral token and
 * gives no figure: the sim takes 10 minutes (long enough for an answer, short enough that a token
 * kept in a job for later is refused).
 */
export const ACTION_TOKEN_LIFETIME_MS = 10 * 60 * 1000;

/**
 * `limit`: "Number of results to return, up to a max of 20. Defaults to 20."
 * @see https://docs.slack.dev/reference/methods/assistant.search.context
 */
const MAX_LIMIT = 20;

/**
 * The scope each `channel_types` value needs; `public_channel` is the default type.
 * @see https://docs.slack.dev/reference/scopes/search.read.public (and .private, .mpim, .im)
 */
const TYPE_SCOPES: Readonly<Record<string, string>> = {
  public_channel: 'search:read.public',
  private_channel: 'search:read.private',
  mpim: 'search:read.mpim',
  im: 'search:read.im',
};

/** The action tokens the sim has put on events: each is one person's, and ends. */
export class ActionTokens {
  private readonly tokens = new Map<string, { user: string; until: number }>();

  constructor(
    private readonly lifetimeMs = ACTION_TOKEN_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new token for `user`'s action, shaped like Slack's example (`12345.98765.abcd2358fdea`). */
  issue(user: string): string {
    const token = `${Math.floor(this.now() / 1000)}.${Math.floor(Math.random() * 1e5)}.${randomBytes(6).toString('hex')}`;
    this.tokens.set(token, { user, until: this.now() + this.lifetimeMs });
    // Expired ones go as new ones come: the map stays as small as the tokens still good.
    for (const [t, v] of this.tokens) if (v.until <= this.now()) this.tokens.delete(t);
    return token;
  }

  /** Whose action the token proves; undefined when it is unknown or has expired. */
  userOf(token: string | undefined): string | undefined {
    const hit = token ? this.tokens.get(token) : undefined;
    return hit && hit.until > this.now() ? hit.user : undefined;
  }

  /** The tokens still good (a test looks for them where they must not be kept). */
  live(): string[] {
    return [...this.tokens].filter(([, v]) => v.until > this.now()).map(([t]) => t);
  }

  /** Every token issued so far ends now (a test of an answer that took too long). */
  expireAll(): void {
    this.tokens.clear();
  }
}

/**
 * The action_token of a person's message event: none for people from another organization
 * (Slack Connect), whose own workspace did not install the app, and none for bots.
 */
export function actionTokenFor(state: SimState, m: SimMessage): Record<string, string> {
  const person = m.user ? state.users.get(m.user) : undefined;
  if (!person || person.is_bot || m.bot_id) return {};
  if (person.team_id && person.team_id !== state.id.teamId) return {};
  return { action_token: state.actionTokens.issue(person.id) };
}

const kindOf = (c: SimConversation) =>
  c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel';

/**
 * What a person can search, as Slack decides it: members of the workspace find public channels
 * whether they joined them or not ("The searching user need not be a member of the public
 * channels, just of the workspace", search:read.public); guests only the conversations they are
 * in; private channels, group DMs and DMs only where the person is a member.
 */
function canSearch(state: SimState, user: string, c: SimConversation): boolean {
  if (c.members.includes(user)) return true;
  const person = state.users.get(user);
  const guest = !!(person?.is_restricted || person?.is_ultra_restricted);
  return kindOf(c) === 'public_channel' && !guest && !c.is_archived;
}

const words = (text: string) =>
  new Set((text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []).map((w) => w.replace(/s$/, '')));

/** A message as a search result, in the documented shape. */
function resultOf(ctx: ApiContext, m: SimMessage): Record<string, unknown> {
  let permalink = `${ctx.team.url}archives/${m.channel}/p${m.ts.replace('.', '')}`;
  if (m.thread_ts && m.thread_ts !== m.ts) permalink += `?thread_ts=${m.thread_ts}&cid=${m.channel}`;
  const author = m.user ? ctx.state.users.get(m.user) : undefined;
  return {
    author_user_id: m.user ?? '',
    team_id: author?.team_id ?? ctx.team.id,
    channel_id: m.channel,
    message_ts: m.ts,
    content: m.text,
    is_author_bot: !!(m.bot_id || author?.is_bot),
    permalink,
  };
}

/**
 * `assistant.search.context`: with a bot token, only for the person whose action_token it is, and
 * only what that person may read; each channel type asked for needs its scope. Results are the
 * messages sharing most words with the query (people's messages only, unless `include_bots`),
 * newest first on a tie, paged by `cursor`.
 * @see https://docs.slack.dev/reference/methods/assistant.search.context
 */
export function searchContext(ctx: ApiContext, args: Record<string, unknown>): ApiResult {
  const query = strArg(args, 'query')?.trim();
  if (!query) return fail('invalid_arguments', { detail: 'query is required' });
  // A bot token searches only on behalf of the person whose action the token came with.
  const user = ctx.state.actionTokens.userOf(strArg(args, 'action_token'));
  if (!user) return fail('invalid_action_token');
  const types = listArg(args, 'channel_types', ['public_channel']);
  const unknown = types.find((t) => !TYPE_SCOPES[t]);
  if (unknown) return fail('invalid_arguments', { detail: `unknown channel type ${unknown}` });
  const lacking = types.map((t) => TYPE_SCOPES[t] as string).filter((s) => !ctx.scopes.has(s));
  if (lacking.length > 0)
    return fail('missing_scope', { needed: lacking.join(','), provided: [...ctx.scopes].join(',') });
  const limit = Math.min(MAX_LIMIT, Math.max(1, intArg(args, 'limit') ?? MAX_LIMIT));
  const includeBots =
    ['true', '1'].includes(strArg(args, 'include_bots') ?? '') || args.include_bots === true;
  const asked = words(query);
  const hits: Array<{ m: SimMessage; score: number }> = [];
  for (const c of ctx.state.conversations.values()) {
    if (!types.includes(kindOf(c)) || !canSearch(ctx.state, user, c)) continue;
    for (const m of ctx.state.all(c.id)) {
      if (m.subtype === 'tombstone' || m.streaming) continue;
      if (!includeBots && (m.bot_id || (m.user && ctx.state.users.get(m.user)?.is_bot))) continue;
      let score = 0;
      for (const w of words(m.text)) if (asked.has(w)) score++;
      if (score > 0) hits.push({ m, score });
    }
  }
  hits.sort((a, b) => b.score - a.score || b.m.ts.localeCompare(a.m.ts));
  const cursor = strArg(args, 'cursor');
  const offset = cursor ? Number(decodeCursor(cursor, 'search')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return fail('invalid_cursor');
  const page = hits.slice(offset, offset + limit);
  const more = offset + limit < hits.length;
  return {
    ok: true,
    results: { messages: page.map((h) => resultOf(ctx, h.m)) },
    response_metadata: { next_cursor: more ? encodeCursor('search', offset + limit) : '' },
  };
}

/** A list argument: a JSON array, or Slack's comma-separated form. */
function listArg(args: Record<string, unknown>, key: string, fallback: string[]): string[] {
  const v = args[key];
  if (Array.isArray(v)) return v.map(String);
  const s = typeof v === 'string' ? v.trim() : '';
  if (!s) return fallback;
  if (s.startsWith('[')) {
    try {
      return (JSON.parse(s) as unknown[]).map(String);
    } catch {
      return [s];
    }
  }
  return s.split(',').map((t) => t.trim());
}

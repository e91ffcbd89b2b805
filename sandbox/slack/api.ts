import { chatHandlers } from './api-chat.js';
import { streamHandlers } from './api-stream.js';
import { getCanvasContent } from './canvas-content.js';
import { canvasHandlers } from './canvases.js';
import { searchContext } from './search.js';
import { sessionHandlers } from './sessions.js';
import {
  type ApiContext,
  apiConversation,
  apiMessage,
  apiUser,
  DISTRIBUTED_HISTORY_MESSAGES,
  decodeCursor,
  encodeCursor,
  fail,
  intArg,
  isError,
  resolveConversation,
  strArg,
} from './shapes.js';
import { tsToMicros } from './state.js';
import type { ApiResult, SimConversation, SimMessage } from './types.js';
import { viewHandlers } from './views.js';

/** conversations.replies: default and most messages a page, the repeated parent included. */
const MAX_REPLIES_PAGE = 1000;

/** A Web API method implementation. */
export type ApiHandler = (ctx: ApiContext, args: Record<string, unknown>) => ApiResult;

/** Slack caps history pages at 999 and defaults to 100. */
function pageSize(args: Record<string, unknown>, def: number, max: number): number {
  const limit = intArg(args, 'limit');
  if (limit === undefined || limit < 1) return def;
  return Math.min(limit, max);
}

/** Applies oldest/latest/inclusive the way conversations.history does. */
function inWindow(args: Record<string, unknown>, m: SimMessage): boolean {
  const inclusive = ['true', '1', true, 1].includes(args.inclusive as string | boolean | number);
  const t = tsToMicros(m.ts);
  const oldest = strArg(args, 'oldest');
  const latest = strArg(args, 'latest');
  if (oldest !== undefined && oldest !== '') {
    const o = tsToMicros(oldest);
    if (inclusive ? t < o : t <= o) return false;
  }
  if (latest !== undefined && latest !== '') {
    const l = tsToMicros(latest);
    if (inclusive ? t > l : t >= l) return false;
  }
  return true;
}

/** Where an offset `cursor` starts (0 without one); invalid_cursor when it is not ours. */
function offsetOf(args: Record<string, unknown>): number | ApiResult {
  const cursor = strArg(args, 'cursor');
  if (!cursor) return 0;
  const decoded = decodeCursor(cursor, 'offset');
  if (decoded === undefined || !/^\d+$/.test(decoded)) return fail('invalid_cursor');
  return Number(decoded);
}

/** One page of `items` by an offset cursor, the way Slack's cursor-paged list methods answer. */
function offsetPage<T>(
  args: Record<string, unknown>,
  items: T[],
  def: number,
  max: number,
): { items: T[]; next: string } | ApiResult {
  const limit = pageSize(args, def, max);
  const offset = offsetOf(args);
  if (typeof offset !== 'number') return offset;
  const hasMore = offset + limit < items.length;
  return {
    items: items.slice(offset, offset + limit),
    next: hasMore ? encodeCursor('offset', offset + limit) : '',
  };
}

const readHandlers: Record<string, ApiHandler> = {
  'api.test': (_ctx, args) => ({ ok: true, args }),

  'auth.test': (ctx) => ({
    ok: true,
    url: ctx.team.url,
    team: ctx.team.name,
    user: ctx.state.id.botName,
    team_id: ctx.team.id,
    user_id: ctx.state.id.botUserId,
    bot_id: ctx.state.id.botId,
    is_enterprise_install: false,
  }),

  'users.info': (ctx, args) => {
    const user = ctx.state.users.get(strArg(args, 'user') ?? '');
    if (!user) return fail('user_not_found');
    const out = apiUser(ctx, user);
    // Slack includes the locale only when asked (`include_locale`, default false).
    if (['true', '1'].includes(strArg(args, 'include_locale') ?? '')) out.locale = user.locale ?? 'en-US';
    return { ok: true, user: out };
  },

  'conversations.info': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: false });
    if (isError(conv)) return conv;
    const channel = apiConversation(ctx, conv);
    if (['true', '1'].includes(strArg(args, 'include_num_members') ?? ''))
      channel.num_members = conv.members.length;
    return { ok: true, channel };
  },

  'conversations.open': (ctx, args) => {
    const users = (strArg(args, 'users') ?? '').split(',').filter(Boolean);
    const first = users[0];
    if (!first) return fail('users_list_not_supplied');
    if (users.length > 1) return fail('not_supported', { detail: 'group DMs are not simulated' });
    if (!ctx.state.users.has(first)) return fail('user_not_found');
    const im = ctx.state.imWith(first);
    return { ok: true, channel: { id: im.id } };
  },

  'conversations.history': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: true });
    if (isError(conv)) return conv;
    const limit = ctx.historyLimited
      ? pageSize(args, DISTRIBUTED_HISTORY_MESSAGES, DISTRIBUTED_HISTORY_MESSAGES)
      : pageSize(args, 100, 999);
    let newestFirst = ctx.state
      .topLevel(conv.id)
      .filter((m) => inWindow(args, m))
      .reverse();
    const cursor = strArg(args, 'cursor');
    if (cursor) {
      const before = decodeCursor(cursor, 'next_ts');
      if (!before) return fail('invalid_cursor');
      newestFirst = newestFirst.filter((m) => tsToMicros(m.ts) < tsToMicros(before));
    }
    const page = newestFirst.slice(0, limit);
    const hasMore = newestFirst.length > limit;
    const last = page.at(-1);
    return {
      ok: true,
      messages: page.map((m) => apiMessage(ctx, m)),
      has_more: hasMore,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      response_metadata: { next_cursor: hasMore && last ? encodeCursor('next_ts', last.ts) : '' },
    };
  },

  /**
   * A thread as Slack serves it (https://docs.slack.dev/reference/methods/conversations.replies and
   * LIBRARY-FACTS "Slack in the field"): oldest first; `limit` defaults to and is capped at 1,000;
   * the parent is repeated at the top of every page and counts toward the limit; `oldest` / `latest`
   * (with `inclusive`) select a window of replies; further pages only through `next_cursor`. The
   * parent carries `reply_count` and `latest_reply` (kept by SimState).
   */
  'conversations.replies': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: true });
    if (isError(conv)) return conv;
    const ts = strArg(args, 'ts');
    const hit = ts ? ctx.state.find(conv.id, ts) : undefined;
    if (!hit) return fail('thread_not_found');
    // Asking with a reply's ts returns its whole thread, as Slack does.
    const parentTs = hit.thread_ts ?? hit.ts;
    const [parent, ...allReplies] = ctx.state.thread(conv.id, parentTs);
    if (!parent) return fail('thread_not_found');
    const replies = allReplies.filter((m) => inWindow(args, m));
    const limit = ctx.historyLimited
      ? pageSize(args, DISTRIBUTED_HISTORY_MESSAGES, DISTRIBUTED_HISTORY_MESSAGES)
      : pageSize(args, MAX_REPLIES_PAGE, MAX_REPLIES_PAGE);
    const perPage = Math.max(1, limit - 1);
    const offset = offsetOf(args);
    if (typeof offset !== 'number') return offset;
    const page = replies.slice(offset, offset + perPage);
    const hasMore = offset + perPage < replies.length;
    return {
      ok: true,
      messages: [parent, ...page].map((m) => apiMessage(ctx, m)),
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? encodeCursor('offset', offset + perPage) : '' },
    };
  },

  'conversations.members': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel'), { needMember: false });
    if (isError(conv)) return conv;
    const page = offsetPage(args, conv.members, 100, 1000);
    if (isError(page)) return page;
    return { ok: true, members: page.items, response_metadata: { next_cursor: page.next } };
  },

  /**
   * Conversations a person is in. `types` defaults to public channels only, pages hold at most 999,
   * and non-public conversations appear only where the bot is a member too. An installation's
   * token lists only its own workspace's conversations (each workspace may have a #general).
   * @see https://docs.slack.dev/reference/methods/users.conversations
   */
  'users.conversations': (ctx, args) => {
    const user = strArg(args, 'user') ?? ctx.state.id.botUserId;
    if (!ctx.state.users.has(user) && user !== ctx.state.id.botUserId) return fail('user_not_found');
    const types = new Set((strArg(args, 'types') || 'public_channel').split(','));
    const typeOf = (c: SimConversation) =>
      c.is_im ? 'im' : c.is_mpim ? 'mpim' : c.is_private ? 'private_channel' : 'public_channel';
    const visible = [...ctx.state.conversations.values()].filter(
      (c) =>
        c.members.includes(user) &&
        (ctx.sees?.(c.id) ?? true) &&
        types.has(typeOf(c)) &&
        (typeOf(c) === 'public_channel' || ctx.state.isBotMember(c)),
    );
    const page = offsetPage(args, visible, 100, 999);
    if (isError(page)) return page;
    return {
      ok: true,
      channels: page.items.map((c) => apiConversation(ctx, c)),
      response_metadata: { next_cursor: page.next },
    };
  },

  'apps.connections.open': (ctx) => ({ ok: true, url: ctx.openSocketUrl() }),

  'assistant.search.context': searchContext,

  'canvases.getContent': getCanvasContent,
};

/** Every served method, keyed by Slack method name. */
export const apiHandlers: Record<string, ApiHandler> = {
  ...readHandlers,
  ...chatHandlers,
  ...streamHandlers,
  ...sessionHandlers,
  ...canvasHandlers,
  ...viewHandlers,
};

/** Methods that take the app-level token instead of the bot token. */
export const appTokenMethods = new Set(['apps.connections.open']);

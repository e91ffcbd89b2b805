import { chatHandlers } from './api-chat.js';
import { streamHandlers } from './api-stream.js';
import {
  type ApiContext,
  apiConversation,
  apiMessage,
  apiUser,
  decodeCursor,
  encodeCursor,
  fail,
  intArg,
  isError,
  resolveConversation,
  strArg,
} from './shapes.js';
import { tsToMicros } from './state.js';
import type { ApiResult, SimMessage } from './types.js';

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
    return { ok: true, user: apiUser(ctx, user) };
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
    const limit = pageSize(args, 100, 999);
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
    const limit = pageSize(args, MAX_REPLIES_PAGE, MAX_REPLIES_PAGE);
    const perPage = Math.max(1, limit - 1);
    let offset = 0;
    const cursor = strArg(args, 'cursor');
    if (cursor) {
      const decoded = decodeCursor(cursor, 'offset');
      if (decoded === undefined || !/^\d+$/.test(decoded)) return fail('invalid_cursor');
      offset = Number(decoded);
    }
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
    const limit = pageSize(args, 100, 1000);
    let offset = 0;
    const cursor = strArg(args, 'cursor');
    if (cursor) {
      const decoded = decodeCursor(cursor, 'offset');
      if (decoded === undefined || !/^\d+$/.test(decoded)) return fail('invalid_cursor');
      offset = Number(decoded);
    }
    const hasMore = offset + limit < conv.members.length;
    return {
      ok: true,
      members: conv.members.slice(offset, offset + limit),
      response_metadata: { next_cursor: hasMore ? encodeCursor('offset', offset + limit) : '' },
    };
  },

  'apps.connections.open': (ctx) => ({ ok: true, url: ctx.openSocketUrl() }),
};

/** Every served method, keyed by Slack method name. */
export const apiHandlers: Record<string, ApiHandler> = {
  ...readHandlers,
  ...chatHandlers,
  ...streamHandlers,
};

/** Methods that take the app-level token instead of the bot token. */
export const appTokenMethods = new Set(['apps.connections.open']);

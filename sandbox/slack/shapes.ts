import type { SimState } from './state.js';
import type { ApiResult, SimConversation, SimMessage, SimUser } from './types.js';

/** Everything a Web API handler needs besides its arguments. */
export interface ApiContext {
  state: SimState;
  team: { id: string; name: string; domain: string; url: string };
  streamLifetimeMs: number;
  /** Issues a one-time ticket and returns the ws:// URL the Socket Mode client should open. */
  openSocketUrl(): string;
  /** The app is declared as an agent (manifest features.agent_view), not a legacy assistant. */
  agentView: boolean;
  /** The manifest subscribes to agent_session_stopped (people get a stop button). */
  stopEventSubscribed: boolean;
  /** The bot token's scopes (methods whose needs depend on their arguments check them here). */
  scopes: ReadonlySet<string>;
  /**
   * A commercially distributed app outside the Marketplace: conversations.history and .replies
   * return at most DISTRIBUTED_HISTORY_MESSAGES a call (and are limited to one call a minute:
   * rate-limits.ts DISTRIBUTED_HISTORY_RULES).
   */
  historyLimited?: boolean;
  /**
   * Whether the calling token may see a conversation: an installation's token sees only its
   * workspace's (or organization's); unset for the sim's own bot token, which sees all.
   */
  sees?(channel: string): boolean;
}

/**
 * Messages per conversations.history / .replies call for a commercially distributed app that is
 * not in the Marketplace: `limit` defaults to and is capped at 15 (internal apps keep 1,000).
 * @see https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps
 * @see LIBRARY-FACTS.md, "Platform limits worth designing for"
 */
export const DISTRIBUTED_HISTORY_MESSAGES = 15;

/** A Slack error answer (`{ok:false, error}` with HTTP 200). */
export function fail(error: string, extra: Record<string, unknown> = {}): ApiResult {
  return { ok: false, error, ...extra };
}

/** Reads a string argument; WebClient sends numbers as form strings, so numbers are accepted too. */
export function strArg(args: Record<string, unknown>, key: string): string | undefined {
  const v = args[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Reads an integer argument, or undefined when absent or not a number. */
export function intArg(args: Record<string, unknown>, key: string): number | undefined {
  const v = args[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/** Reads a boolean argument the way Slack does ('true', '1', true). */
export function boolArg(args: Record<string, unknown>, key: string): boolean {
  const v = args[key];
  return v === true || v === 1 || v === 'true' || v === '1';
}

/**
 * Reads an argument that WebClient JSON-encodes in form bodies (blocks, chunks, metadata)
 * but that arrives as a real value in JSON bodies. `invalid` means present but unparsable.
 */
export function jsonArg(args: Record<string, unknown>, key: string): { value?: unknown; invalid?: true } {
  const v = args[key];
  if (v === undefined || v === null || v === '') return {};
  if (typeof v !== 'string') return { value: v };
  try {
    return { value: JSON.parse(v) };
  } catch {
    return { invalid: true };
  }
}

/** Cursor encoding similar to Slack's opaque base64 cursors. */
export function encodeCursor(kind: string, value: string | number): string {
  return Buffer.from(`${kind}:${value}`).toString('base64');
}

/** Decodes a cursor of the given kind; undefined when it is foreign or malformed. */
export function decodeCursor(cursor: string, kind: string): string | undefined {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  return text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : undefined;
}

/**
 * Finds the conversation an argument names (id, name or '#name'; a user id opens the DM when allowed)
 * and applies Slack's visibility rules: private conversations the bot is not in do not exist for it.
 */
export function resolveConversation(
  ctx: ApiContext,
  ref: string | undefined,
  opts: { needMember: boolean; allowUserId?: boolean },
): SimConversation | ApiResult {
  if (!ref) return fail('channel_not_found');
  const { state } = ctx;
  let conv = state.conversations.get(ref);
  if (!conv) {
    const name = ref.replace(/^#/, '');
    conv = [...state.conversations.values()].find((c) => !c.is_im && c.name === name);
  }
  if (!conv && opts.allowUserId && state.users.has(ref)) conv = state.imWith(ref);
  if (!conv) return fail('channel_not_found');
  const member = state.isBotMember(conv);
  if (!member && conv.is_private) return fail('channel_not_found');
  if (!member && opts.needMember) return fail('not_in_channel');
  return conv;
}

/** Type guard separating a resolved conversation from an error answer. */
export function isError(v: object): v is ApiResult {
  return 'ok' in v && v.ok === false;
}

/** A stored message without the simulator's own fields (its channel, the stream's state). */
export function shownFields(m: SimMessage): Partial<SimMessage> {
  const {
    channel: _c,
    streaming: _s,
    chunks_text: _t,
    chunks: _k,
    stream_started_at: _a,
    task_display_mode: _m,
    ...rest
  } = m;
  return rest;
}

/** A stored message as the Web API shows it (internal fields dropped, bot profile added). */
export function apiMessage(ctx: ApiContext, m: SimMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'message', ...shownFields(m) };
  if (m.user && !m.bot_id) out.team = ctx.team.id;
  if (m.bot_id && m.bot_id === ctx.state.id.botId) {
    out.app_id = ctx.state.id.appId;
    out.bot_profile = {
      id: m.bot_id,
      app_id: ctx.state.id.appId,
      name: ctx.state.id.botName,
      deleted: false,
      team_id: ctx.team.id,
    };
  }
  if (m.reply_users) out.reply_users_count = m.reply_users.length;
  return out;
}

/** A user as users.info returns it. */
export function apiUser(ctx: ApiContext, u: SimUser): Record<string, unknown> {
  const display = u.display_name;
  const team = u.team_id ?? ctx.team.id;
  return {
    id: u.id,
    team_id: team,
    name: u.name,
    deleted: Boolean(u.deleted),
    real_name: u.real_name,
    tz: u.tz ?? 'America/Los_Angeles',
    tz_label: 'Pacific Standard Time',
    tz_offset: -28800,
    is_admin: false,
    is_owner: false,
    is_restricted: Boolean(u.is_restricted || u.is_ultra_restricted),
    is_ultra_restricted: Boolean(u.is_ultra_restricted),
    is_bot: Boolean(u.is_bot),
    is_app_user: false,
    updated: 1700000000,
    profile: {
      real_name: u.real_name,
      real_name_normalized: u.real_name.normalize('NFD').replace(/\p{M}/gu, ''),
      display_name: display,
      display_name_normalized: display.normalize('NFD').replace(/\p{M}/gu, ''),
      ...(u.bot_id ? { bot_id: u.bot_id, api_app_id: ctx.state.id.appId } : {}),
      team,
    },
  };
}

/** A conversation as conversations.info returns it, seen by the bot. */
export function apiConversation(ctx: ApiContext, c: SimConversation): Record<string, unknown> {
  const created = c.created ?? 1700000000;
  if (c.is_im) {
    return {
      id: c.id,
      created,
      is_im: true,
      is_org_shared: false,
      user: c.user,
      is_user_deleted: Boolean(c.user && ctx.state.users.get(c.user)?.deleted),
      priority: 0,
      context_team_id: ctx.team.id,
    };
  }
  return {
    id: c.id,
    name: c.name,
    name_normalized: c.name,
    is_channel: c.is_channel,
    is_group: c.is_private && !c.is_mpim,
    is_im: false,
    is_mpim: c.is_mpim,
    is_private: c.is_private,
    created,
    is_archived: Boolean(c.is_archived),
    is_general: c.name === 'general',
    is_shared: Boolean(c.is_ext_shared),
    is_org_shared: false,
    is_ext_shared: Boolean(c.is_ext_shared),
    is_member: ctx.state.isBotMember(c),
    context_team_id: ctx.team.id,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: '', creator: '', last_set: 0 },
    // A channel canvas shows as properties.canvas (its file id).
    ...(ctx.state.canvases.channelCanvas(c.id)
      ? { properties: { canvas: { file_id: ctx.state.canvases.channelCanvas(c.id)?.id, is_empty: false } } }
      : {}),
  };
}

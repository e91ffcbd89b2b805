/**
 * Slack's agent sessions, as docs.slack.dev/ai/agent-sessions describes them: thread-based, created
 * by `agents.sessions.setStatus` (processing, active, suspended, closed) for apps declared as
 * agents, titled at creation or by `agents.sessions.rename`; `chat.stopStream` moves a session to
 * its `session_status` (default active). The stop button (a person clicking it) stops the app's
 * streams in that thread and sends `agent_session_stopped`; the status is left to the app.
 */
import type { ApiHandler } from './api.js';
import { fail, isError, resolveConversation, strArg } from './shapes.js';
import type { SimState } from './state.js';

export const SESSION_STATUSES = new Set(['active', 'processing', 'suspended', 'closed']);
/** Longest session title (agents.sessions.setStatus / rename: 1–200 characters). */
const MAX_TITLE = 200;

export interface SimSession {
  channel: string;
  threadTs: string;
  status: string;
  title?: string;
}

export const sessionKey = (channel: string, threadTs: string) => `${channel}:${threadTs}`;

export const sessionHandlers: Record<string, ApiHandler> = {
  'agents.sessions.setStatus': (ctx, args) => {
    if (!ctx.agentView) return fail('not_allowed_token_type');
    const conv = resolveConversation(ctx, strArg(args, 'channel_id'), { needMember: true });
    if (isError(conv)) return conv;
    const threadTs = strArg(args, 'thread_ts');
    const status = strArg(args, 'status') ?? '';
    const title = strArg(args, 'title');
    if (!threadTs || !SESSION_STATUSES.has(status) || (title !== undefined && title.length > MAX_TITLE))
      return fail('invalid_arguments');
    const key = sessionKey(conv.id, threadTs);
    const session = ctx.state.sessions.get(key) ?? {
      channel: conv.id,
      threadTs,
      status,
      ...(title ? { title } : {}),
    };
    session.status = status;
    ctx.state.sessions.set(key, session);
    ctx.state.changed();
    // Without the event subscription, people get no stop button: Slack warns.
    return ctx.stopEventSubscribed
      ? { ok: true, status }
      : { ok: true, status, warning: 'missing_agent_session_stopped_event_subscription' };
  },

  'agents.sessions.rename': (ctx, args) => {
    const conv = resolveConversation(ctx, strArg(args, 'channel_id'), { needMember: true });
    if (isError(conv)) return conv;
    const title = strArg(args, 'title') ?? '';
    const session = ctx.state.sessions.get(sessionKey(conv.id, strArg(args, 'thread_ts') ?? ''));
    if (!session) return fail('session_not_found');
    if (title.length < 1 || title.length > MAX_TITLE) return fail('invalid_arguments');
    session.title = title;
    ctx.state.changed();
    return { ok: true };
  },
};

/** chat.stopStream's `session_status` (default active) for the session of the stream's thread. */
export function endStreamSession(
  state: SimState,
  channel: string,
  threadTs: string | undefined,
  status?: string,
) {
  const session = threadTs ? state.sessions.get(sessionKey(channel, threadTs)) : undefined;
  if (session) session.status = status && SESSION_STATUSES.has(status) ? status : 'active';
}

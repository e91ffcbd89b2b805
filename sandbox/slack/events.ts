import { randomBytes, randomUUID } from 'node:crypto';
import { actionTokenFor } from './search.js';
import { shownFields } from './shapes.js';
import type { SimIdentity, SimState } from './state.js';
import type { SimConversation, SimMessage } from './types.js';

/** An Events API event id, shaped like Slack's ('Ev' + 10 alphanumerics). */
export function newEventId(): string {
  return `Ev${randomBytes(8).toString('hex').toUpperCase().slice(0, 10)}`;
}

/** A trigger_id shaped like Slack's ('<num>.<num>.<hex>'). */
export function newTriggerId(): string {
  return `${Date.now()}.${Math.floor(Math.random() * 1e9)}.${randomBytes(16).toString('hex')}`;
}

/** The rich_text block Slack's clients attach to typed messages, with user mentions as elements. */
export function richTextBlocks(text: string): unknown[] {
  const elements: unknown[] = [];
  for (const part of text.split(/(<@[UW][A-Z0-9]+>)/)) {
    if (!part) continue;
    const mention = /^<@([UW][A-Z0-9]+)>$/.exec(part);
    elements.push(mention ? { type: 'user', user_id: mention[1] } : { type: 'text', text: part });
  }
  return [
    {
      type: 'rich_text',
      block_id: randomBytes(3).toString('base64url').slice(0, 4),
      elements: [{ type: 'rich_text_section', elements }],
    },
  ];
}

/**
 * In a shared (Slack Connect) channel the envelope's `team_id` is the receiving workspace; the
 * author's own workspace is in `user_team` and `source_team` on the event (LIBRARY-FACTS "Slack in
 * the field").
 */
function authorTeam(state: SimState, m: SimMessage, conv: SimConversation): Record<string, unknown> {
  if (!conv.is_ext_shared || !m.user) return {};
  const team = state.users.get(m.user)?.team_id ?? state.id.teamId;
  return { user_team: team, source_team: team };
}

/** The `message` event Slack sends for a human's message (message.channels/groups/im/mpim). */
export function messageEvent(state: SimState, m: SimMessage, conv: SimConversation): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'message',
    ...(m.files?.length ? { subtype: 'file_share', files: m.files, upload: false } : {}),
    ...(m.subtype ? { subtype: m.subtype } : {}),
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: state.id.teamId,
    ...authorTeam(state, m, conv),
    ...(m.client_msg_id ? { client_msg_id: m.client_msg_id } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
    channel: conv.id,
    event_ts: m.ts,
    channel_type: state.channelType(conv),
    ...actionTokenFor(state, m),
  };
  if (m.thread_ts && m.thread_ts !== m.ts) {
    event.thread_ts = m.thread_ts;
    event.parent_user_id = m.parent_user_id;
  }
  return event;
}

/** The `app_mention` event for the same message. */
export function appMentionEvent(
  state: SimState,
  m: SimMessage,
  conv: SimConversation,
): Record<string, unknown> {
  return {
    type: 'app_mention',
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: state.id.teamId,
    ...authorTeam(state, m, conv),
    ...(m.client_msg_id ? { client_msg_id: m.client_msg_id } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
    ...(m.thread_ts && m.thread_ts !== m.ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.files?.length ? { files: m.files } : {}),
    channel: conv.id,
    event_ts: m.ts,
    ...actionTokenFor(state, m),
  };
}

/** Wraps an event in the `event_callback` envelope of the Events API. */
export function eventCallback(
  id: SimIdentity,
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: 'sim-verification-token',
    team_id: id.teamId,
    context_team_id: id.teamId,
    context_enterprise_id: null,
    api_app_id: id.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: id.teamId,
        user_id: id.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: id.teamId, aid: id.appId })).toString('base64url')}`,
  };
}

/** A human as interactivity payloads describe them; `team_id` is the person's own workspace. */
export function payloadUser(state: SimState, userId: string): Record<string, unknown> {
  const u = state.users.get(userId);
  const team = u?.team_id ?? state.id.teamId;
  return { id: userId, username: u?.name ?? userId, name: u?.name ?? userId, team_id: team };
}

/** A conversation as interactivity payloads and slash commands name it. */
export function payloadChannelName(conv: SimConversation | undefined): string {
  if (!conv) return 'unknown';
  if (conv.is_im) return 'directmessage';
  if (conv.is_mpim) return 'mpdm';
  return conv.is_private ? 'privategroup' : conv.name;
}

/** The message object Slack embeds in shortcut and block_actions payloads. */
export function payloadMessage(state: SimState, m: SimMessage): Record<string, unknown> {
  const team = m.user ? (state.users.get(m.user)?.team_id ?? state.id.teamId) : state.id.teamId;
  return { type: 'message', ...shownFields(m), ...(m.user && !m.bot_id ? { team } : {}) };
}

/** A client_msg_id like the ones Slack clients attach. */
export function newClientMsgId(): string {
  return randomUUID();
}

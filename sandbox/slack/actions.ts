import { stringify } from 'node:querystring';
import type { Deliverer, DeliveryOptions } from './delivery.js';
import {
  appMentionEvent,
  eventCallback,
  messageEvent,
  newClientMsgId,
  newEventId,
  payloadChannelName,
  payloadMessage,
  richTextBlocks,
} from './events.js';
import type { ResponseUrls } from './response.js';
import type { SimState } from './state.js';
import type { DeliveryResult, SimConversation, SimMessage } from './types.js';

/** The pieces human actions need: state to write and a way to reach the app. */
export interface ActionDeps {
  state: SimState;
  deliverer: Deliverer;
  responseUrls: ResponseUrls;
  /** Addresses an event envelope to the workspace (and organization) it happened in. */
  envelopeFor?: (envelope: Record<string, unknown>) => Record<string, unknown>;
  /** Whether the app gets this event in this conversation (its subscriptions and scopes); unset: all. */
  receives?(event: Record<string, unknown>, conv: SimConversation): boolean;
  /** The workspace a person acts in (a conversation's, else the person's own); unset: the sim's own. */
  teamFor?(where: { channel?: string; user?: string }): ActingTeam;
}

/** The workspace (and organization) a command or an interaction comes from, as payloads name it. */
export interface ActingTeam {
  id: string;
  domain: string;
  enterprise?: { id: string; name: string };
  /** The app serves it through an org-wide install. */
  orgWide: boolean;
}

/** Where a person acts: a command's or a click's team and enterprise fields come from it. */
export function actingTeam(deps: ActionDeps, where: { channel?: string; user?: string }): ActingTeam {
  return (
    deps.teamFor?.(where) ?? { id: deps.state.id.teamId, domain: deps.state.id.teamDomain, orgWide: false }
  );
}

/**
 * The subscription and scope each event a person's message causes needs: Slack sends a
 * `message.*` event only to an app subscribed to it that holds the matching history scope, and
 * `app_mention` only with app_mentions:read.
 * @see https://docs.slack.dev/reference/events/message.channels
 * @see https://docs.slack.dev/reference/events/message.groups
 * @see https://docs.slack.dev/reference/events/app_mention
 */
export function eventNeeds(
  event: Record<string, unknown>,
  channelType: 'channel' | 'group' | 'im' | 'mpim',
): { subscription: string; scope: string } | undefined {
  if (event.type === 'app_mention') return { subscription: 'app_mention', scope: 'app_mentions:read' };
  if (event.type !== 'message') return undefined;
  const kind = { channel: 'channels', group: 'groups', im: 'im', mpim: 'mpim' }[channelType];
  return { subscription: `message.${kind}`, scope: `${kind}:history` };
}

function conversation(state: SimState, id: string): SimConversation {
  const conv = state.conversations.get(id);
  if (!conv) throw new Error(`SlackSim: unknown conversation ${id}`);
  return conv;
}

function existingMessage(state: SimState, channel: string, ts: string): SimMessage {
  const m = state.find(channel, ts);
  if (!m) throw new Error(`SlackSim: no message ${ts} in ${channel}`);
  return m;
}

/** Wraps an event in an event_callback and delivers it (HTTP JSON body or events_api envelope). */
export function deliverEvent(
  deps: ActionDeps,
  event: Record<string, unknown>,
  opts: DeliveryOptions = {},
): Promise<DeliveryResult> {
  const eventId = opts.eventId ?? newEventId();
  const built = eventCallback(deps.state.id, event, eventId);
  const envelope = deps.envelopeFor ? deps.envelopeFor(built) : built;
  return deps.deliverer.send(
    'events_api',
    envelope,
    { body: JSON.stringify(envelope), contentType: 'application/json' },
    { ...opts, eventId },
  );
}

/** Delivers events one by one, in the order Slack would emit them, only to a bot that is in the conversation. */
async function deliverAll(deps: ActionDeps, conv: SimConversation, events: Record<string, unknown>[]) {
  const results: DeliveryResult[] = [];
  if (!deps.state.isBotMember(conv)) return results;
  for (const e of events) {
    if (deps.receives && !deps.receives(e, conv)) continue;
    results.push(await deliverEvent(deps, e));
  }
  return results;
}

/** A human writes a message; the bot gets `message` and, when mentioned outside DMs, `app_mention`. */
export async function humanPost(
  deps: ActionDeps,
  p: { user: string; channel: string; text: string; thread_ts?: string; files?: unknown[] },
): Promise<{ message: SimMessage; deliveries: DeliveryResult[] }> {
  const { state } = deps;
  const conv = conversation(state, p.channel);
  if (!state.users.has(p.user)) throw new Error(`SlackSim: unknown user ${p.user}`);
  const target = p.thread_ts ? state.find(conv.id, p.thread_ts) : undefined;
  const threadTs = target ? (target.thread_ts ?? target.ts) : p.thread_ts;
  const message = state.insert({
    ts: state.nextTs(),
    channel: conv.id,
    user: p.user,
    text: p.text,
    blocks: richTextBlocks(p.text),
    client_msg_id: newClientMsgId(),
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(p.files?.length ? { files: p.files } : {}),
  });
  const events = [messageEvent(state, message, conv)];
  if (!conv.is_im && p.text.includes(`<@${state.id.botUserId}>`))
    events.push(appMentionEvent(state, message, conv));
  return { message, deliveries: await deliverAll(deps, conv, events) };
}

/** A human edits their message: `message_changed`. */
export async function humanEdit(deps: ActionDeps, channel: string, ts: string, text: string) {
  const { state } = deps;
  const conv = conversation(state, channel);
  const m = existingMessage(state, channel, ts);
  const previous = payloadMessage(state, m);
  m.text = text;
  if (m.user && !m.bot_id) m.blocks = richTextBlocks(text);
  const eventTs = state.nextTs();
  m.edited = { ...(m.user ? { user: m.user } : {}), ts: eventTs };
  state.changed();
  return deliverAll(deps, conv, [
    {
      type: 'message',
      subtype: 'message_changed',
      message: payloadMessage(state, m),
      previous_message: previous,
      channel,
      hidden: true,
      ts: eventTs,
      event_ts: eventTs,
      channel_type: state.channelType(conv),
    },
  ]);
}

/** A message disappears: `message_deleted`. */
export async function humanDelete(deps: ActionDeps, channel: string, ts: string) {
  const { state } = deps;
  const conv = conversation(state, channel);
  const m = existingMessage(state, channel, ts);
  const previous = payloadMessage(state, m);
  state.remove(m);
  const eventTs = state.nextTs();
  return deliverAll(deps, conv, [
    {
      type: 'message',
      subtype: 'message_deleted',
      previous_message: previous,
      channel,
      hidden: true,
      ts: eventTs,
      deleted_ts: ts,
      event_ts: eventTs,
      channel_type: state.channelType(conv),
    },
  ]);
}

/** Someone (possibly the bot) joins: a `channel_join` message the bot sees once it is a member. */
export async function humanJoin(deps: ActionDeps, user: string, channel: string) {
  const { state } = deps;
  const conv = conversation(state, channel);
  if (!conv.members.includes(user)) conv.members.push(user);
  const m = state.insert({
    ts: state.nextTs(),
    channel,
    user,
    subtype: 'channel_join',
    text: `<@${user}> has joined the channel`,
  });
  return deliverAll(deps, conv, [messageEvent(state, m, conv)]);
}

/** A user opens the app's Home or Messages tab: `app_home_opened` with the DM id. */
export async function appHomeOpened(deps: ActionDeps, user: string, tab: 'messages' | 'home') {
  const { state } = deps;
  const im = state.imWith(user);
  const view = state.homeViews.get(user);
  const event = {
    type: 'app_home_opened',
    user,
    channel: im.id,
    tab,
    event_ts: state.nextTs(),
    ...(tab === 'home' && view ? { view } : {}),
  };
  return [await deliverEvent(deps, event)];
}

/** A slash command, form-encoded over HTTP or as a slash_commands envelope; ack text becomes an ephemeral. */
export async function slashCommand(
  deps: ActionDeps,
  c: { user: string; channel: string; command: string; text: string },
): Promise<DeliveryResult> {
  const { state } = deps;
  const conv = state.conversations.get(c.channel);
  const team = actingTeam(deps, { channel: c.channel, user: c.user });
  const fields = {
    token: 'sim-verification-token',
    team_id: team.id,
    team_domain: team.domain,
    ...(team.enterprise ? { enterprise_id: team.enterprise.id, enterprise_name: team.enterprise.name } : {}),
    channel_id: c.channel,
    channel_name: payloadChannelName(conv),
    user_id: c.user,
    user_name: state.users.get(c.user)?.name ?? c.user,
    command: c.command,
    text: c.text,
    api_app_id: state.id.appId,
    is_enterprise_install: String(team.orgWide),
    response_url: deps.responseUrls.issue({ channel: c.channel, user: c.user }),
    trigger_id: state.views.issue(c.user),
  };
  const res = await deps.deliverer.send('slash_commands', fields, {
    body: stringify(fields),
    contentType: 'application/x-www-form-urlencoded',
  });
  storeAckResponse(deps, c.channel, c.user, res);
  return res;
}

/** Slack shows an ack body with text/blocks to the invoking user (or to everyone when in_channel). */
function storeAckResponse(deps: ActionDeps, channel: string, user: string, res: DeliveryResult): void {
  if (res.status !== 200 || !res.body.trim().startsWith('{')) return;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return;
  }
  const text = typeof body.text === 'string' ? body.text : '';
  const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
  if (!text && !blocks) return;
  const { state } = deps;
  if (body.response_type === 'in_channel') {
    state.insert({
      ts: state.nextTs(),
      channel,
      user: state.id.botUserId,
      bot_id: state.id.botId,
      text,
      blocks,
    });
    return;
  }
  state.ephemerals.push({
    channel,
    user,
    text,
    ts: state.nextTs(),
    via: 'ack',
    ...(blocks ? { blocks } : {}),
  });
  state.changed();
}

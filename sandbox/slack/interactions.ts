import { stringify } from 'node:querystring';
import { type ActionDeps, actingTeam } from './actions.js';
import { payloadChannelName, payloadMessage, payloadUser } from './events.js';
import type { DeliveryResult, SimMessage } from './types.js';

/** Posts an interactivity payload: form field `payload` over HTTP, an `interactive` envelope over sockets. */
export function deliverInteraction(
  deps: ActionDeps,
  payload: Record<string, unknown>,
): Promise<DeliveryResult> {
  return deps.deliverer.send('interactive', payload, {
    body: stringify({ payload: JSON.stringify(payload) }),
    contentType: 'application/x-www-form-urlencoded',
  });
}

/** Common head of interactivity payloads. */
export function interactionBase(deps: ActionDeps, user: string, channel: string): Record<string, unknown> {
  const { state } = deps;
  const team = actingTeam(deps, { channel, user });
  return {
    token: 'sim-verification-token',
    api_app_id: state.id.appId,
    team: { id: team.id, domain: team.domain },
    user: payloadUser(state, user),
    channel: { id: channel, name: payloadChannelName(state.conversations.get(channel)) },
    is_enterprise_install: team.orgWide,
    enterprise: team.enterprise ?? null,
    trigger_id: deps.state.views.issue(user),
  };
}

/** Finds the block_id holding an element with this action_id, as Slack fills it in. */
export function blockIdFor(m: SimMessage | undefined, actionId: string): string {
  for (const b of m?.blocks ?? []) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as { block_id?: unknown; elements?: unknown; accessory?: unknown };
    const elements = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory];
    const hit = elements.some(
      (e) => typeof e === 'object' && e !== null && 'action_id' in e && e.action_id === actionId,
    );
    if (hit && typeof block.block_id === 'string') return block.block_id;
  }
  return 'sim_block';
}

/** A message shortcut (`message_action`) on an existing message, with a response_url tied to it. */
export function messageShortcut(
  deps: ActionDeps,
  s: { user: string; channel: string; messageTs: string; callbackId: string },
): Promise<DeliveryResult> {
  const { state } = deps;
  const m = state.find(s.channel, s.messageTs);
  if (!m) throw new Error(`SlackSim: no message ${s.messageTs} in ${s.channel}`);
  return deliverInteraction(deps, {
    type: 'message_action',
    ...interactionBase(deps, s.user, s.channel),
    action_ts: state.nextTs(),
    callback_id: s.callbackId,
    response_url: deps.responseUrls.issue({
      channel: s.channel,
      user: s.user,
      messageTs: m.ts,
      ...(m.thread_ts ? { threadTs: m.thread_ts } : {}),
    }),
    message_ts: m.ts,
    message: payloadMessage(state, m),
  });
}

/** A button click (`block_actions`), on a stored message when messageTs names one. */
export function blockAction(
  deps: ActionDeps,
  a: {
    user: string;
    channel: string;
    actionId: string;
    value: string;
    messageTs?: string;
    responseUrl?: string;
  },
): Promise<DeliveryResult> {
  const { state } = deps;
  const m = a.messageTs ? state.find(a.channel, a.messageTs) : undefined;
  const responseUrl =
    a.responseUrl ??
    deps.responseUrls.issue({ channel: a.channel, user: a.user, ...(m ? { messageTs: m.ts } : {}) });
  return deliverInteraction(deps, {
    type: 'block_actions',
    ...interactionBase(deps, a.user, a.channel),
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channel, is_ephemeral: !m },
    ...(m ? { message: payloadMessage(state, m) } : {}),
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        action_id: a.actionId,
        block_id: blockIdFor(m, a.actionId),
        value: a.value,
        type: 'button',
        action_ts: state.nextTs(),
      },
    ],
  });
}

/**
 * Which bot scope each Web API method needs, as Slack's method reference states it, and the
 * scopes the app's manifest (manifest.yml) requests. The simulated Slack grants exactly the
 * manifest's scopes, so a method the manifest does not cover answers `missing_scope`, as in a
 * real workspace after installing from that manifest.
 * @see https://docs.slack.dev/reference/methods (each method's "Scopes" section)
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SimConversation } from './types.js';

/** Any one of the listed scopes is enough; [] = no scope needed. A function: depends on the conversation. */
type Needed = readonly string[] | ((conv: SimConversation | undefined) => readonly string[]);

/** history / read scopes by conversation type (public, private, DM, group DM). */
const byType =
  (verb: 'history' | 'read') =>
  (conv: SimConversation | undefined): readonly string[] => {
    if (conv?.is_im) return [`im:${verb}`];
    if (conv?.is_mpim) return [`mpim:${verb}`];
    if (conv?.is_private) return [`groups:${verb}`];
    return [`channels:${verb}`];
  };

export const METHOD_SCOPES: Readonly<Record<string, Needed>> = {
  'api.test': [],
  'auth.test': [],
  // The app-level token's scope (connections:write), not a bot scope.
  'apps.connections.open': [],
  // Accepts assistant:write or chat:write for now (changelog 2026-03-05).
  'assistant.threads.setStatus': ['chat:write', 'assistant:write'],
  'assistant.threads.setSuggestedPrompts': ['assistant:write'],
  'assistant.threads.setTitle': ['assistant:write'],
  // Thread-based sessions need chat:write (docs.slack.dev/ai/agent-sessions).
  'agents.sessions.setStatus': ['chat:write'],
  'agents.sessions.rename': ['chat:write'],
  // Any one search:read.* scope; each channel type asked for needs its own (sandbox/slack/search.ts).
  // https://docs.slack.dev/reference/methods/assistant.search.context
  'assistant.search.context': [
    'search:read.public',
    'search:read.private',
    'search:read.mpim',
    'search:read.im',
  ],
  // https://docs.slack.dev/reference/methods/canvases.create (and .edit): canvases:write;
  // canvases.sections.lookup: canvases:read.
  'canvases.create': ['canvases:write'],
  'canvases.edit': ['canvases:write'],
  'canvases.sections.lookup': ['canvases:read'],
  'conversations.canvases.create': ['canvases:write'],
  // https://docs.slack.dev/reference/methods/canvases.getContent
  'canvases.getContent': ['canvases:read'],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.startStream': ['chat:write'],
  'chat.appendStream': ['chat:write'],
  'chat.stopStream': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.history': byType('history'),
  'conversations.replies': byType('history'),
  'conversations.info': byType('read'),
  'conversations.members': byType('read'),
  'conversations.open': ['im:write'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'users.info': ['users:read'],
  'users.conversations': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  // Publishing the app's own Home tab needs no scope.
  'views.publish': [],
  // No scope: the trigger_id of the person's interaction is the permission.
  'views.open': [],
};

/** The scopes `method` needs here (any one of them), given the conversation it names. */
export function scopesFor(method: string, conv: SimConversation | undefined): readonly string[] | undefined {
  const needed = METHOD_SCOPES[method];
  if (needed === undefined) return undefined;
  return typeof needed === 'function' ? needed(conv) : needed;
}

interface Manifest {
  features?: { agent_view?: unknown };
  settings?: { event_subscriptions?: { bot_events?: unknown } };
  oauth_config?: { scopes?: { bot?: unknown } };
}

const MANIFEST = new URL('../../manifest.yml', import.meta.url);

function readManifest(file: string | URL): Manifest {
  return (parse(readFileSync(file, 'utf8')) ?? {}) as Manifest;
}

/** The bot scopes a manifest requests (oauth_config.scopes.bot). */
export function manifestScopes(file: string | URL = MANIFEST): string[] {
  const bot = readManifest(file).oauth_config?.scopes?.bot;
  return Array.isArray(bot) ? bot.map(String) : [];
}

/** Whether a manifest declares the app as an agent (features.agent_view). */
export function manifestDeclaresAgent(file: string | URL = MANIFEST): boolean {
  return readManifest(file).features?.agent_view !== undefined;
}

/** The bot events a manifest subscribes to. */
export function manifestEvents(file: string | URL = MANIFEST): string[] {
  const events = readManifest(file).settings?.event_subscriptions?.bot_events;
  return Array.isArray(events) ? events.map(String) : [];
}

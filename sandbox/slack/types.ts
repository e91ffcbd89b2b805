import type { RateRule } from './rate-limits.js';

/**
 * Shared types of the simulated Slack workspace (see slack-sim.ts).
 * Field names follow Slack's own JSON so state can be shown or served as-is.
 */

/** A workspace member, human or bot. */
export interface SimUser {
  id: string;
  name: string;
  real_name: string;
  display_name: string;
  is_bot?: boolean;
  bot_id?: string;
  tz?: string;
  deleted?: boolean;
  /**
   * The person's own workspace; unset: this one. Someone from another organization in a Slack
   * Connect channel has theirs (LIBRARY-FACTS "Slack in the field").
   */
  team_id?: string;
  /**
   * Guests, as users.info shows them: `is_restricted` a multi-channel guest, `is_ultra_restricted`
   * a single-channel guest (both set for the latter). They read only the conversations they are in.
   * @see https://docs.slack.dev/reference/methods/users.info
   */
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  /**
   * The person's Slack language (IETF tag such as `de-DE`); unset: `en-US`. users.info returns it
   * only when asked with `include_locale=true`.
   * @see https://docs.slack.dev/reference/methods/users.info
   */
  locale?: string;
}

/** One reaction on a message, as Slack returns it in `reactions`. */
export interface SimReaction {
  name: string;
  users: string[];
  count: number;
}

/** A stored message (top-level or thread reply). */
export interface SimMessage {
  ts: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text: string;
  thread_ts?: string;
  blocks?: unknown[];
  subtype?: string;
  reply_count?: number;
  latest_reply?: string;
  /** Distinct repliers, like Slack's `reply_users`. */
  reply_users?: string[];
  /** Author of the thread parent, set on replies. */
  parent_user_id?: string;
  /** True between chat.startStream and chat.stopStream. */
  streaming?: boolean;
  /** Markdown text accumulated from streaming. */
  chunks_text?: string;
  /** Non-markdown chunks received while streaming (task_update, plan_update, blocks...). */
  chunks?: unknown[];
  /** chat.startStream's task_display_mode (Slack's default: timeline). */
  task_display_mode?: 'timeline' | 'plan';
  /** When the stream was started (ms), used to expire streams like Slack does. */
  stream_started_at?: number;
  edited?: { ts: string; user?: string };
  metadata?: unknown;
  reactions?: SimReaction[];
  files?: unknown[];
  client_msg_id?: string;
}

/** A message only one user can see. */
export interface SimEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  ts: string;
  /** 'ack' = the text an app returned in the HTTP/socket acknowledgement of a slash command. */
  via: 'postEphemeral' | 'response_url' | 'ack';
}

/** A channel, private channel, DM or group DM. */
export interface SimConversation {
  id: string;
  name: string;
  is_channel: boolean;
  is_private: boolean;
  is_im: boolean;
  is_mpim: boolean;
  is_archived?: boolean;
  /** A Slack Connect channel: members from other organizations. */
  is_ext_shared?: boolean;
  /** The workspace it belongs to (SimInstalls); unset: the sim's own team. */
  team_id?: string;
  /** For IMs: the human on the other side. */
  user?: string;
  members: string[];
  created?: number;
}

/** One Web API request the sim answered. */
export interface SimCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  /** Whose bot token made it: its workspace, or its organization for an org-wide install (SimInstalls). */
  team?: string;
}

/** An assistant.threads.setStatus entry. */
export interface SimStatus {
  channel: string;
  thread_ts: string;
  status: string;
  at: number;
}

/** Options of {@link SlackSim.start}. */
export interface SlackSimOptions {
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  botToken?: string;
  appToken?: string;
  signingSecret?: string;
  botUserId?: string;
  botId?: string;
  botName?: string;
  /** Default true: a few people, #general, #random, #project-x and a DM with Alice. */
  seed?: boolean;
  /** How long a stream stays open before Slack ends it (default 5 minutes). */
  streamLifetimeMs?: number;
  /** How long delivery waits for the app's ack (default 3000 ms, like Slack). */
  ackTimeoutMs?: number;
  /** Declared as an agent (features.agent_view); default: as manifest.yml says. */
  agentView?: boolean;
  /** The bot token's scopes; default: those manifest.yml requests (the app installed from it). */
  scopes?: readonly string[];
  /**
   * Rate limits by method instead of Slack's tiers (sandbox/slack/rate-limits.ts), e.g. a shorter
   * window to keep a test quick. Keep them as tight as the real tier: a looser one hides bugs.
   */
  rateLimits?: Readonly<Record<string, readonly RateRule[]>>;
  /**
   * The app is commercially distributed outside the Marketplace: conversations.history and
   * .replies allow one call a minute per workspace and 15 messages a call.
   */
  historyLimited?: boolean;
}

/** What the app answered when the sim delivered something to it. */
export interface DeliveryResult {
  /** HTTP status, 200 for a socket ack, 0 when nothing answered (no target, timeout, connection error). */
  status: number;
  body: string;
  eventId?: string;
  ackMs: number;
}

/** A scripted failure for the next calls of a method. */
export interface SimFault {
  error?: string;
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  times?: number;
}

/** A Socket Mode acknowledgement received from the app. */
export interface SimAck {
  envelope_id: string;
  payload?: unknown;
  at: number;
}

/** Answer of a Web API handler: the JSON body (always HTTP 200). */
export type ApiResult = Record<string, unknown> & { ok: boolean; error?: string };

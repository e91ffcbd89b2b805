import type { App } from '@slack/bolt';
import type { AnswerJob } from '../../core/types.js';
import type { Logger } from '../../ops/logger.js';
import { type Identity, isOwnMessage, type SlackMessage } from '../history.js';

export interface MessageListenerDeps {
  identity: Identity;
  log: Logger;
  answerThreadFollowups: boolean;
  allowBotMessages: boolean;
  /** Starts an answer in the background (the event is already acknowledged). */
  submit(job: AnswerJob): void;
  /** Threads this bot has answered in, for un-mentioned follow-ups. */
  hasAnsweredIn(teamId: string, channel: string, threadTs: string): boolean;
}

interface MessageEvent extends SlackMessage {
  channel: string;
  channel_type?: string;
  ts: string;
  event_ts?: string;
}

/** Subtypes that carry a person's new text; edits, deletions, joins, topics… are ignored. */
const NEW_TEXT_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

function fromOtherBot(e: SlackMessage): boolean {
  return e.bot_id !== undefined || e.subtype === 'bot_message';
}

/**
 * `@bot` in channels (app_mention), every DM message (message.im), and, when enabled, follow-ups
 * in threads the bot already answered in (message.channels / message.groups).
 */
export function register(app: App, deps: MessageListenerDeps): void {
  const { identity: me } = deps;

  app.event('app_mention', async ({ event, body }) => {
    const e = event as unknown as MessageEvent;
    if (isOwnMessage(e, me) || (fromOtherBot(e) && !deps.allowBotMessages)) return;
    if (!NEW_TEXT_SUBTYPES.has(e.subtype)) return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    deps.submit(jobFor(body, e, teamId, 'channel'));
  });

  app.event('message', async ({ event, body }) => {
    const e = event as unknown as MessageEvent;
    if (!NEW_TEXT_SUBTYPES.has(e.subtype) || (!e.user && !e.bot_id)) return;
    if (isOwnMessage(e, me)) return;
    if (fromOtherBot(e) && !deps.allowBotMessages) return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    if (e.channel_type === 'im') {
      deps.submit(jobFor(body, e, teamId, 'dm'));
      return;
    }
    // In channels a mention arrives as app_mention too; that listener answers it.
    if ((e.text ?? '').includes(`<@${me.botUserId}`)) return;
    if (!deps.answerThreadFollowups || !e.thread_ts || e.thread_ts === e.ts) return;
    if (!deps.hasAnsweredIn(teamId, e.channel, e.thread_ts)) return;
    deps.submit(jobFor(body, e, teamId, 'channel'));
  });
}

function jobFor(body: unknown, e: MessageEvent, teamId: string, kind: 'channel' | 'dm'): AnswerJob {
  const eventId = (body as { event_id?: string }).event_id ?? `${e.channel}-${e.ts}`;
  return {
    eventId,
    place: { teamId, channelId: e.channel, threadTs: e.thread_ts ?? e.ts, kind },
    userId: e.user ?? e.bot_id ?? 'unknown',
    messageTs: e.ts,
    topLevelDm: kind === 'dm' && !e.thread_ts,
  };
}

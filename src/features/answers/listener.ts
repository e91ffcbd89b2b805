import type { App } from '@slack/bolt';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob, AskedMessage } from '../../slack/job.js';
import { fileRefs } from '../../slack/read/file-kinds.js';
import {
  addressedWords,
  type Identity,
  isOwnMessage,
  type SlackMessage,
  TEXT_SUBTYPES,
} from '../../slack/read/messages.js';
import { enterpriseOfBody } from '../../slack/workspaces.js';
import { CHOOSE_WORDS } from './texts.js';

export interface MessageListenerDeps {
  identity: Identity;
  log: Logger;
  allowBotMessages: boolean;
  /**
   * Whether an un-mentioned reply in a thread the bot answered is answered there: the place's
   * profile follows threads (`follow_threads`) and nobody told the bot to stop in this thread.
   */
  followsThread(place: AnswerJob['place']): Promise<boolean>;
  /**
   * A command the bot answers itself (remember, forget, stop…) in the words addressed to it:
   * true when it took the message, which is then no question.
   */
  command?(job: AnswerJob, words: string): boolean;
  /**
   * Takes the question and answers it in the background; resolves once it is held (in the durable
   * store when there is one): the event is acknowledged to Slack only then.
   */
  submit(job: AnswerJob): Promise<void> | void;
  /** Threads this bot has answered in, for un-mentioned follow-ups. */
  hasAnsweredIn(teamId: string, channel: string, threadTs: string): Promise<boolean>;
}

interface MessageEvent extends SlackMessage {
  channel: string;
  channel_type?: string;
  ts: string;
  event_ts?: string;
  files?: unknown[];
  /** The author's own workspace, set in shared (Slack Connect) channels. */
  user_team?: unknown;
  /** The person's permission for the app to search Slack as them (Real-time Search API). */
  action_token?: unknown;
}

/** Characters that carry no question: whitespace, zero-width and control characters. */
const NOTHING = /[\s\p{Cc}\u200b-\u200d\u2060\ufeff]/gu;

/** Why a message has nothing to answer (see AnswerJob.blank), or undefined when it has. */
function blankOf(e: MessageEvent, me: Identity): AnswerJob['blank'] {
  const text = typeof e.text === 'string' ? e.text : '';
  const words = text.replace(new RegExp(`<@${me.botUserId}(?:\\|[^>]*)?>`, 'g'), '').replace(NOTHING, '');
  // A message with files asks about them ("what's wrong here?" is implied).
  if (words || (Array.isArray(e.files) && e.files.length > 0)) return undefined;
  // A bare mention inside a thread asks about the thread: answered with the thread as context.
  return !e.thread_ts || e.thread_ts === e.ts ? 'mention' : undefined;
}

/** Events with fields missing or of the wrong type (never from Slack, but cheap to refuse). */
const malformed = (e: MessageEvent) =>
  typeof e.channel !== 'string' ||
  typeof e.ts !== 'string' ||
  (e.text !== undefined && typeof e.text !== 'string') ||
  (typeof e.user !== 'string' && typeof e.bot_id !== 'string');

/**
 * Subtypes that carry a person's new text; edits, deletions, joins, topics… are ignored, and other
 * apps' messages (bot_message) are decided on their own (fromOtherBot).
 */
const NEW_TEXT_SUBTYPES = new Set([...TEXT_SUBTYPES].filter((s) => s !== 'bot_message'));

function fromOtherBot(e: SlackMessage): boolean {
  return e.bot_id !== undefined || e.subtype === 'bot_message';
}

/** Someone other than the bot is mentioned (a person, a user group, @here): not said to the bot. */
function mentionsOthers(text: string, me: Identity): boolean {
  for (const m of text.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)) if (m[1] !== me.botUserId) return true;
  return /<!(subteam\^|here\b|channel\b|everyone\b)/.test(text);
}

/** "use opus: …" opening the words addressed to the bot: the model asked for, for this question. */
const MODEL_CHOICE = new RegExp(`^(?:${CHOOSE_WORDS})\\s+([a-z0-9][a-z0-9.@:_-]*?)\\s*:\\s*\\S`, 'i');

/**
 * `@bot` in channels (app_mention), every DM message (message.im), and, when enabled, follow-ups
 * in threads the bot already answered in (message.channels / message.groups).
 */
export function register(app: App, deps: MessageListenerDeps): void {
  const { identity: me } = deps;

  app.event('app_mention', async ({ event, body }) => {
    const e = event as unknown as MessageEvent;
    if (isOwnMessage(e, me) || (fromOtherBot(e) && !deps.allowBotMessages)) return;
    if (!NEW_TEXT_SUBTYPES.has(e.subtype) || malformed(e)) return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    const job = jobFor(body, e, teamId, 'channel', me);
    if (deps.command?.(job, job.words ?? '')) return;
    await deps.submit(withoutWords(job));
  });

  app.event('message', async ({ event, body }) => {
    const e = event as unknown as MessageEvent;
    if (!NEW_TEXT_SUBTYPES.has(e.subtype) || (!e.user && !e.bot_id) || malformed(e)) return;
    if (isOwnMessage(e, me)) return;
    if (fromOtherBot(e) && !deps.allowBotMessages) return;
    const teamId = (body as { team_id?: string }).team_id ?? '';
    if (e.channel_type === 'im') {
      const job = jobFor(body, e, teamId, 'dm', me);
      if (deps.command?.(job, job.words ?? '')) return;
      await deps.submit(withoutWords(job));
      return;
    }
    // In channels a mention arrives as app_mention too; that listener answers it.
    const text = e.text ?? '';
    if (text.includes(`<@${me.botUserId}`)) return;
    // A follow-up without a mention: only a person's (never another app's: no loops between bots),
    // in a thread the bot answered, not addressed to someone else.
    if (!e.thread_ts || e.thread_ts === e.ts || fromOtherBot(e) || mentionsOthers(text, me)) return;
    const job = withoutWords(jobFor(body, e, teamId, 'channel', me));
    // The profile first: where no profile follows threads (the default) the store is not asked.
    if (!(await deps.followsThread(job.place))) return;
    if (!(await deps.hasAnsweredIn(teamId, e.channel, e.thread_ts))) return;
    await deps.submit(job);
  });
}

/** The job as it is held: the words were for recognising commands only. */
function withoutWords(job: AnswerJob & { words?: string }): AnswerJob {
  const { words: _, ...rest } = job;
  return rest;
}

function jobFor(
  body: unknown,
  e: MessageEvent,
  teamId: string,
  kind: 'channel' | 'dm',
  me: Identity,
): AnswerJob & { words?: string } {
  const eventId = (body as { event_id?: string }).event_id ?? `${e.channel}-${e.ts}`;
  const blank = blankOf(e, me);
  const words = addressedWords(e.text ?? '', me, kind === 'dm');
  const model = words === undefined ? undefined : MODEL_CHOICE.exec(words)?.[1];
  return {
    ...(words !== undefined ? { words } : {}),
    ...(model ? { model: model.toLowerCase() } : {}),
    eventId,
    place: { teamId, ...enterpriseOfBody(body), channelId: e.channel, threadTs: e.thread_ts ?? e.ts, kind },
    userId: e.user ?? e.bot_id ?? 'unknown',
    ...(typeof e.user_team === 'string' && e.user_team !== teamId ? { userTeamId: e.user_team } : {}),
    messageTs: e.ts,
    topLevelDm: kind === 'dm' && !e.thread_ts,
    // Kept for a reply in a thread too: a read within the history quota may stop short of it.
    ...(kind === 'channel' ? { asked: askedMessage(e) } : {}),
    ...(typeof e.action_token === 'string' && e.action_token ? { actionToken: e.action_token } : {}),
    ...(blank ? { blank } : {}),
  };
}

/** The fields of the event's message that the conversation is built from. */
function askedMessage(e: MessageEvent): AskedMessage {
  const { ts, user, bot_id, username, text, subtype } = e;
  const files = fileRefs(e.files);
  return { ts, user, bot_id, username, text, subtype, ...(files.length > 0 ? { files } : {}) };
}

import type { WebClient } from '@slack/web-api';
import type { ConversationMessage } from '../../claude/prompt.js';
import type { AnswerJob } from '../job.js';
import type { UserDirectory } from './directory.js';

/** A message as conversations.replies / history return it (the fields we read). */
export interface SlackMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  subtype?: string;
  thread_ts?: string;
  username?: string;
}

export interface Identity {
  botUserId: string;
  botId: string | undefined;
  botName: string;
}

/** Most messages read for one thread: 5 pages of replies; trimming keeps the first and latest. */
const MAX_THREAD_MESSAGES = 1000;
/** Context for a top-level DM message: the recent DM history. */
const DM_HISTORY_MESSAGES = 20;

/** Subtypes that are people's (or bots') words; every other subtype (joins, edits, topics…) is noise. */
export const TEXT_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'thread_broadcast',
  'file_share',
  'bot_message',
  'me_message',
]);

export function isOwnMessage(m: SlackMessage, me: Identity): boolean {
  return m.user === me.botUserId || (me.botId !== undefined && m.bot_id === me.botId);
}

/**
 * Loads the conversation an answer needs, oldest first, as plain messages. `waited`: the question
 * waited its turn, so what the event carried may be out of date.
 */
export async function loadConversation(
  client: WebClient,
  directory: UserDirectory,
  me: Identity,
  job: AnswerJob,
  opts: { waited?: boolean } = {},
): Promise<ConversationMessage[]> {
  // A question that starts a thread is the whole thread: read as the event carried it, unless it
  // waited its turn (then it is read as it stands now, edited or deleted meanwhile).
  const raw =
    job.asked && !opts.waited
      ? [job.asked]
      : job.topLevelDm
        ? await dmHistory(client, job.place.channelId, job.messageTs)
        : await threadReplies(client, job.place.channelId, job.place.threadTs);
  const out: ConversationMessage[] = [];
  for (const m of raw) {
    if (!m.ts || !TEXT_SUBTYPES.has(m.subtype)) continue;
    if (Number(m.ts) > Number(job.messageTs)) continue; // written after the question
    const fromBot = isOwnMessage(m, me);
    // Our own error notices are not part of the conversation.
    if (fromBot && (m.text ?? '').startsWith(':warning:')) continue;
    const text = await plainText(m.text ?? '', directory, me);
    if (!text.trim() && !fromBot) continue;
    const author = fromBot ? me.botName : m.user ? await directory.name(m.user) : (m.username ?? 'a bot');
    out.push({ ts: m.ts, author, fromBot, text });
  }
  return out;
}

async function threadReplies(client: WebClient, channel: string, ts: string): Promise<SlackMessage[]> {
  const messages: SlackMessage[] = [];
  let cursor: string | undefined;
  do {
    const r = await client.conversations.replies({ channel, ts, limit: 200, cursor });
    messages.push(...((r.messages ?? []) as SlackMessage[]));
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor && messages.length < MAX_THREAD_MESSAGES);
  return messages;
}

async function dmHistory(client: WebClient, channel: string, latest: string): Promise<SlackMessage[]> {
  const r = await client.conversations.history({
    channel,
    latest,
    inclusive: true,
    limit: DM_HISTORY_MESSAGES,
  });
  return ((r.messages ?? []) as SlackMessage[]).reverse();
}

/**
 * Slack's message markup to what a person reads: our own mention removed, other mentions and
 * channel links as names, links as "label (url)", entities decoded.
 */
export async function plainText(text: string, directory: UserDirectory, me: Identity): Promise<string> {
  let out = text.replace(new RegExp(`<@${me.botUserId}(\\|[^>]*)?>`, 'g'), '').trim();
  const ids = [...new Set([...out.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] as string))];
  const names = new Map(await Promise.all(ids.map(async (id) => [id, await directory.name(id)] as const)));
  out = out
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!subteam\^[A-Z0-9]+\|?([^>]*)>/g, (_, l: string) => l || '@group')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<mailto:([^|>]+)\|[^>]+>/g, '$1');
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

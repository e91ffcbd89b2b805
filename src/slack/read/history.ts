import type { WebClient } from '@slack/web-api';
import type { ConversationMessage } from '../../claude/prompt.js';
import type { AnswerJob } from '../job.js';
import type { UserDirectory } from './directory.js';
import { fileRefs, type SlackFile } from './file-kinds.js';
import { type FileNote, type FilesRead, type FileWait, fileReaderOf } from './files.js';
import { readThreadEnd } from './thread.js';

/** A message as conversations.replies / history return it (the fields we read). */
export interface SlackMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  subtype?: string;
  thread_ts?: string;
  username?: string;
  /** Files shared with the message (file_share), as Slack describes them. */
  files?: unknown;
}

export interface Identity {
  botUserId: string;
  botId: string | undefined;
  botName: string;
}

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

export interface Conversation {
  /** Oldest first: the thread's parent, then the latest replies up to the question. */
  messages: ConversationMessage[];
  /** Older messages of a long thread that were not read (between the parent and `messages[1]`). */
  unread: number;
  /** Shared files that were not read, and why: the answer names them. */
  fileNotes?: FileNote[];
  /** Gives back the memory its files hold; called once Claude is done with them. */
  release?: () => void;
}

/** Share of the token budget the files of a conversation may take: the words need room too. */
const FILES_BUDGET_SHARE = 0.75;

/**
 * Loads the conversation an answer needs, oldest first, as plain messages. `waited`: the question
 * waited its turn, so what the event carried may be out of date. `tokenBudget`: a long thread is
 * read from its newest end back until about this much text (see readThreadEnd).
 */
export async function loadConversation(
  client: WebClient,
  directory: UserDirectory,
  me: Identity,
  job: AnswerJob,
  opts: { waited?: boolean; tokenBudget: number; onFilesWait?: () => void; signal?: AbortSignal },
): Promise<Conversation> {
  // A question that starts a thread is the whole thread: read as the event carried it, unless it
  // waited its turn (then it is read as it stands now, edited or deleted meanwhile).
  const { messages: raw, unread } =
    job.asked && !opts.waited
      ? { messages: [job.asked], unread: 0 }
      : job.topLevelDm
        ? { messages: await dmHistory(client, job.place.channelId, job.messageTs), unread: 0 }
        : await readThreadEnd(
            client,
            job.place.channelId,
            job.place.threadTs,
            job.messageTs,
            opts.tokenBudget,
          );
  const out: ConversationMessage[] = [];
  const shared = new Map<ConversationMessage, SlackFile[]>();
  for (const m of raw) {
    if (!m.ts || !TEXT_SUBTYPES.has(m.subtype)) continue;
    if (Number(m.ts) > Number(job.messageTs)) continue; // written after the question
    const fromBot = isOwnMessage(m, me);
    // Our own error notices are not part of the conversation.
    if (fromBot && (m.text ?? '').startsWith(':warning:')) continue;
    const text = await plainText(m.text ?? '', directory, me);
    const files = fromBot ? [] : fileRefs(m.files);
    if (!text.trim() && !fromBot && files.length === 0) continue;
    const author = fromBot ? me.botName : m.user ? await directory.name(m.user) : (m.username ?? 'a bot');
    const message: ConversationMessage = {
      ts: m.ts,
      author,
      fromBot,
      text,
      ...(m.user && !fromBot ? { userId: m.user } : {}),
    };
    if (files.length > 0) shared.set(message, files);
    out.push(message);
  }
  const files = await readFiles(client, shared, Math.floor(opts.tokenBudget * FILES_BUDGET_SHARE), {
    onWait: opts.onFilesWait,
    signal: opts.signal,
  });
  return {
    messages: out,
    unread,
    ...(files.notes.length > 0 ? { fileNotes: files.notes } : {}),
    ...(files.release ? { release: files.release } : {}),
  };
}

/**
 * Reads the files shared in the conversation, newest first, and hands each message its own. A file
 * not read is named with its message, so Claude knows it was there.
 */
async function readFiles(
  client: WebClient,
  shared: Map<ConversationMessage, SlackFile[]>,
  tokenBudget: number,
  wait: FileWait,
): Promise<Pick<FilesRead<unknown>, 'notes' | 'release'>> {
  const reader = fileReaderOf<NonNullable<ConversationMessage['files']>[number]>(client);
  if (shared.size === 0 || !reader) return { notes: [] };
  const newestFirst = [...shared.values()].reverse().flat();
  const { read, notes, release } = await reader.read(newestFirst, client.token ?? '', tokenBudget, wait);
  for (const [message, files] of shared) {
    const got = files.flatMap((f) => read.get(f.id) ?? []);
    if (got.length > 0) message.files = got;
    const missed = files.filter((f) => !read.has(f.id)).map((f) => f.name ?? f.id);
    if (missed.length > 0) message.unreadFiles = missed;
  }
  return { notes, ...(release ? { release } : {}) };
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

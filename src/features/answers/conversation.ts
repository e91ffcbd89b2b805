import type { WebClient } from '@slack/web-api';
import type { ConversationMessage } from '../../claude/prompt.js';
import type { FileNote, SharedFileReader, SharedFilesRead } from '../../claude/shared-files.js';
import { estimateTokens } from '../../claude/tokens.js';
import type { AnswerJob } from '../../slack/job.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import { fileRefs, type SlackFile } from '../../slack/read/file-kinds.js';
import { readQuestionMessages } from '../../slack/read/history.js';
import type { LimitedHistory } from '../../slack/read/limited-history.js';
import { type Identity, isOwnMessage, plainText, TEXT_SUBTYPES } from '../../slack/read/messages.js';
import { botTokenOf } from '../../slack/web.js';

export interface Conversation {
  /** Oldest first: the thread's parent, then the latest replies up to the question. */
  messages: ConversationMessage[];
  /** Older messages of a long thread that were not read (between the parent and `messages[1]`). */
  unread: number;
  /** The app's history quota (SLACK_HISTORY_LIMITED) kept part of the thread from being read. */
  partial?: boolean;
  /** Shared files that were not read, and why: the answer names them. */
  fileNotes?: FileNote[];
  /** Gives back the memory its files hold; called once Claude is done with them. */
  release?: () => void;
}

export interface ConversationDeps {
  client: WebClient;
  directory: UserDirectory;
  identity: Identity;
  /** Turns the files shared in the conversation into what Claude reads. */
  files: SharedFileReader<SlackFile>;
  /** Set when the app's history reads are limited (SLACK_HISTORY_LIMITED): reads within the quota. */
  history?: LimitedHistory;
}

/** Share of the token budget the files of a conversation may take: the words need room too. */
const FILES_BUDGET_SHARE = 0.75;

/**
 * The conversation a question is answered from, oldest first, as Claude reads it: names for
 * people, the bot's own answers, the files shared in it. `waited`: the question waited its turn,
 * so what the event carried may be out of date. `tokenBudget`: a long thread is read from its
 * newest end back until about this much text.
 */
export async function loadConversation(
  job: AnswerJob,
  deps: ConversationDeps,
  opts: { waited?: boolean; tokenBudget: number; onFilesWait?: () => void; signal?: AbortSignal },
): Promise<Conversation> {
  const me = deps.identity;
  // A question that starts a thread is the whole thread: read as the event carried it, unless it
  // waited its turn (then it is read as it stands now, edited or deleted meanwhile).
  const startsThread = job.place.threadTs === job.messageTs;
  const read =
    job.asked && startsThread && !opts.waited
      ? { messages: [job.asked], unread: 0 }
      : await readQuestionMessages(
          deps.client,
          { ...job.place, messageTs: job.messageTs, topLevelDm: job.topLevelDm },
          opts.tokenBudget,
          estimateTokens,
          deps.history,
        );
  const { unread, partial } = read as { unread: number; partial?: boolean };
  // Reads within a quota may stop short of the question: the event carried it.
  const raw =
    job.asked && !read.messages.some((m) => m.ts === job.messageTs)
      ? [...read.messages, job.asked]
      : read.messages;
  const out: ConversationMessage[] = [];
  const shared = new Map<ConversationMessage, SlackFile[]>();
  for (const m of raw) {
    if (!m.ts || !TEXT_SUBTYPES.has(m.subtype)) continue;
    if (Number(m.ts) > Number(job.messageTs)) continue; // written after the question
    const fromBot = isOwnMessage(m, me);
    // Our own error notices are not part of the conversation.
    if (fromBot && (m.text ?? '').startsWith(':warning:')) continue;
    const text = await plainText(m.text ?? '', deps.directory, me);
    const files = fromBot ? [] : fileRefs(m.files);
    if (!text.trim() && !fromBot && files.length === 0) continue;
    const author = fromBot
      ? me.botName
      : m.user
        ? await deps.directory.name(m.user)
        : (m.username ?? 'a bot');
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
  const files = await readFiles(deps, shared, Math.floor(opts.tokenBudget * FILES_BUDGET_SHARE), {
    onWait: opts.onFilesWait,
    signal: opts.signal,
  });
  return {
    messages: out,
    unread,
    ...(partial ? { partial: true } : {}),
    ...(files.notes.length > 0 ? { fileNotes: files.notes } : {}),
    ...(files.release ? { release: files.release } : {}),
  };
}

/**
 * Reads the files shared in the conversation, newest first, and hands each message its own. A file
 * not read is named with its message, so Claude knows it was there.
 */
async function readFiles(
  deps: ConversationDeps,
  shared: Map<ConversationMessage, SlackFile[]>,
  tokenBudget: number,
  wait: { onWait?: () => void; signal?: AbortSignal },
): Promise<Pick<SharedFilesRead, 'notes' | 'release'>> {
  if (shared.size === 0) return { notes: [] };
  const newestFirst = [...shared.values()].reverse().flat();
  const { read, notes, release } = await deps.files.read(
    newestFirst,
    botTokenOf(deps.client),
    tokenBudget,
    wait,
  );
  for (const [message, files] of shared) {
    const got = files.flatMap((f) => read.get(f.id) ?? []);
    if (got.length > 0) message.files = got;
    const missed = files.filter((f) => !read.has(f.id)).map((f) => f.name ?? f.id);
    if (missed.length > 0) message.unreadFiles = missed;
  }
  return { notes, ...(release ? { release } : {}) };
}

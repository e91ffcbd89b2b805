import type { WebClient } from '@slack/web-api';
import { MAX_REPLIES_PER_PAGE } from '../../slack/limits.js';
import type { UserDirectory } from '../../slack/read/directory.js';
import { MAX_FILES_PER_MESSAGE } from '../../slack/read/file-kinds.js';
import {
  type Identity,
  isOwnMessage,
  plainText,
  type SlackMessage,
  TEXT_SUBTYPES,
} from '../../slack/read/messages.js';
import type { SummaryMessage } from './plan.js';

/** The fields of a history message this module reads, beyond the thread-answer ones. */
interface HistoryMessage extends SlackMessage {
  reply_count?: number;
  latest_reply?: string;
  files?: Array<{ name?: string; title?: string; permalink?: string }>;
  bot_profile?: { name?: string };
  metadata?: { event_type?: string };
}

/** What to read: a window of top-level messages (with their threads) or one thread. */
export type HistoryWindow =
  | { kind: 'since'; oldest: string; latest?: string }
  | { kind: 'count'; count: number }
  | { kind: 'thread'; ts: string };

export interface HistoryLimits {
  /** Most messages read in all (parents and replies). */
  maxMessages: number;
  /** Most threads whose replies are fetched (one conversations.replies call each, or more). */
  maxThreads: number;
}

export interface ChannelHistory {
  /** Oldest first, each thread's replies right after their parent. */
  messages: SummaryMessage[];
  /** True when a cap left messages or replies out. */
  truncated: boolean;
}

/** Marks the bot's own summary posts, so a later summary does not summarize a summary. */
export const SUMMARY_EVENT_TYPE = 'claude_summary';

export const DEFAULT_LIMITS: HistoryLimits = { maxMessages: 3000, maxThreads: 150 };
/** Slack recommends pages of at most 200 for conversations.history. */
const PAGE = 200;
/** Thread fetches at a time: Tier 3 allows ~50 per minute; a few in parallel is polite. */
const REPLY_CONCURRENCY = 4;

/** A message link built from the workspace URL (auth.test `url`) and ts: no API call per message. */
export function permalink(workspaceUrl: string, channel: string, ts: string, parentTs?: string): string {
  const base = workspaceUrl.endsWith('/') ? workspaceUrl : `${workspaceUrl}/`;
  const link = `${base}archives/${channel}/p${ts.replace('.', '')}`;
  return parentTs ? `${link}?thread_ts=${parentTs}&cid=${channel}` : link;
}

export interface HistoryDeps {
  client: WebClient;
  directory: UserDirectory;
  identity: Identity;
  workspaceUrl: string;
}

/**
 * Reads a conversation for a summary: paginated conversations.history (newest first, up to the
 * caps), then the replies of threads in it, folded in under their parents; names resolved with
 * the directory. Slack errors (not_in_channel, channel_not_found…) propagate to the caller.
 */
export async function readChannelHistory(
  deps: HistoryDeps,
  channel: string,
  window: HistoryWindow,
  limits: HistoryLimits = DEFAULT_LIMITS,
): Promise<ChannelHistory> {
  if (window.kind === 'thread') {
    const { replies, cut } = await threadReplies(deps.client, channel, window.ts, limits.maxMessages, true);
    return { messages: await toSummary(deps, channel, replies), truncated: cut };
  }
  const { parents: inWindow, cut } = await topLevel(deps.client, channel, window, limits.maxMessages);
  // Threads started before the window but answered in it belong to it too (only those replies).
  const earlier =
    window.kind === 'since' && !cut ? await earlierThreads(deps.client, channel, window.oldest) : [];
  const since = window.kind === 'since' ? window.oldest : undefined;
  const isEarlier = new Set(earlier.map((m) => m.ts));
  const parents = [...inWindow, ...earlier];
  let truncated = cut;
  let room = limits.maxMessages - parents.length;
  const threaded = parents.filter((m) => (m.reply_count ?? 0) > 0 && m.ts);
  // Newest threads first: when the cap bites, recent replies are kept.
  const fetchable = threaded.slice(0, limits.maxThreads);
  if (fetchable.length < threaded.length) truncated = true;
  const repliesOf = new Map<string, HistoryMessage[]>();
  let next = 0;
  const worker = async () => {
    while (next < fetchable.length && room > 0) {
      const parent = fetchable[next++] as HistoryMessage;
      const oldest = isEarlier.has(parent.ts) ? since : undefined;
      const r = await threadReplies(deps.client, channel, parent.ts as string, room, false, oldest);
      room -= r.replies.length;
      if (r.cut) truncated = true;
      repliesOf.set(parent.ts as string, r.replies);
    }
  };
  await Promise.all(Array.from({ length: REPLY_CONCURRENCY }, worker));
  if (repliesOf.size < fetchable.length) truncated = true;
  const ordered: HistoryMessage[] = [];
  const seen = new Set<string>();
  for (const p of [...parents].reverse()) {
    for (const m of [p, ...(repliesOf.get(p.ts as string) ?? [])]) {
      // A reply also sent to the channel (thread_broadcast) appears in both lists: keep it once.
      if (m.ts && !seen.has(m.ts)) ordered.push(m);
      if (m.ts) seen.add(m.ts);
    }
  }
  return { messages: await toSummary(deps, channel, ordered), truncated };
}

function keep(m: HistoryMessage, me: Identity): boolean {
  if (!m.ts || !TEXT_SUBTYPES.has(m.subtype)) return false;
  if (isOwnMessage(m, me) && m.metadata?.event_type === SUMMARY_EVENT_TYPE) return false;
  return Boolean((m.text ?? '').trim() || m.files?.length);
}

async function topLevel(
  client: WebClient,
  channel: string,
  window: Exclude<HistoryWindow, { kind: 'thread' }>,
  max: number,
): Promise<{ parents: HistoryMessage[]; cut: boolean }> {
  const want = window.kind === 'count' ? Math.min(window.count, max) : max;
  const parents: HistoryMessage[] = [];
  let cursor: string | undefined;
  do {
    const r = await client.conversations.history({
      channel,
      limit: PAGE,
      cursor,
      include_all_metadata: true,
      ...(window.kind === 'since' ? { oldest: window.oldest } : {}),
      ...(window.kind === 'since' && window.latest ? { latest: window.latest } : {}),
    });
    for (const m of (r.messages ?? []) as HistoryMessage[]) {
      // Replies broadcast to the channel are read with their thread.
      if (m.thread_ts && m.thread_ts !== m.ts) continue;
      if (m.ts && (keep(m, NO_ONE) || (m.reply_count ?? 0) > 0)) parents.push(m);
      if (parents.length >= want) break;
    }
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor && parents.length < want);
  // The count was reached with more history left: only a cap (not a count) is a cut.
  return { parents, cut: Boolean(cursor) && window.kind !== 'count' && parents.length >= max };
}

/**
 * Parents from the page of history just before the window whose latest reply falls inside it,
 * newest first: one extra history call finds threads still going on.
 */
async function earlierThreads(client: WebClient, channel: string, oldest: string): Promise<HistoryMessage[]> {
  const r = await client.conversations.history({
    channel,
    latest: oldest,
    limit: PAGE,
    include_all_metadata: true,
  });
  return ((r.messages ?? []) as HistoryMessage[]).filter(
    (m) =>
      m.ts &&
      (!m.thread_ts || m.thread_ts === m.ts) &&
      (m.reply_count ?? 0) > 0 &&
      Number(m.latest_reply ?? 0) > Number(oldest),
  );
}

/** Nobody: lets `keep` judge a message without the own-summary rule (applied later). */
const NO_ONE: Identity = { botUserId: '\0', botId: undefined, botName: '' };

async function threadReplies(
  client: WebClient,
  channel: string,
  ts: string,
  max: number,
  withParent: boolean,
  /** Only replies after this ts (a thread started before the window). */
  oldest?: string,
): Promise<{ replies: HistoryMessage[]; cut: boolean }> {
  const out: HistoryMessage[] = [];
  let cursor: string | undefined;
  let first = true;
  do {
    // Full pages: a thread of tens of thousands costs at most max / 999 + 1 calls before the cap.
    const r = await client.conversations.replies({
      channel,
      ts,
      limit: MAX_REPLIES_PER_PAGE,
      cursor,
      include_all_metadata: true,
      ...(oldest ? { oldest } : {}),
    });
    const page = (r.messages ?? []) as HistoryMessage[];
    // Slack repeats the parent at the top of every page.
    for (const m of page) {
      const isParent = !m.thread_ts || m.thread_ts === m.ts;
      if (isParent && !(withParent && first)) continue;
      if (out.length >= max) return { replies: out, cut: true };
      out.push(m);
    }
    first = false;
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return { replies: out, cut: false };
}

async function toSummary(
  deps: HistoryDeps,
  channel: string,
  raw: readonly HistoryMessage[],
): Promise<SummaryMessage[]> {
  const out: SummaryMessage[] = [];
  for (const m of raw) {
    if (!keep(m, deps.identity)) continue;
    const ts = m.ts as string;
    const parentTs = m.thread_ts && m.thread_ts !== ts ? m.thread_ts : undefined;
    const own = isOwnMessage(m, deps.identity);
    const isBot = own || m.bot_id !== undefined || m.subtype === 'bot_message';
    let text = await plainText(m.text ?? '', deps.directory, deps.identity);
    const link = permalink(deps.workspaceUrl, channel, ts, parentTs);
    const files = (Array.isArray(m.files) ? m.files : []).slice(0, MAX_FILES_PER_MESSAGE).flatMap((f) => {
      const name = String(f?.title || f?.name || '').slice(0, 200);
      return name ? [{ name, link: typeof f.permalink === 'string' ? f.permalink : link }] : [];
    });
    if (files.length) {
      const names = files.map((f) => f.name).join(', ');
      text = `${text}\n[shared ${files.length === 1 ? 'a file' : 'files'}: ${names}]`.trim();
    }
    const author = own
      ? deps.identity.botName
      : m.user && !m.bot_id
        ? await deps.directory.name(m.user)
        : (m.username ?? m.bot_profile?.name ?? 'a bot');
    out.push({
      ts,
      ...(parentTs ? { parentTs } : {}),
      author,
      ...(m.user && !isBot ? { userId: m.user } : {}),
      isBot,
      text,
      permalink: link,
      ...(files.length ? { files } : {}),
    });
  }
  return out;
}

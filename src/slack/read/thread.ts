import type { WebClient } from '@slack/web-api';
import { MAX_REPLIES_PER_PAGE } from '../limits.js';
import type { SlackMessage } from './messages.js';

/** A thread's parent carries its counters (Slack keeps them on the parent message). */
interface ParentMessage extends SlackMessage {
  reply_count?: number;
  latest_reply?: string;
}

export interface ThreadRead {
  /** The parent first, then replies oldest first, none newer than `latest`. */
  messages: SlackMessage[];
  /** Replies up to `latest` that were not read: the older part of a long thread. */
  unread: number;
  /** conversations.replies calls made. */
  calls: number;
}

/** Reads for the newest end of a thread longer than one page: the bound on calls, whatever its length. */
export const MAX_WINDOW_READS = 4;
/** Replies a newest-end window aims at: well under a page, so one call reads the window whole. */
const WINDOW_TARGET = 600;
/** How much a window may grow over the one before it (a thread that grew quiet). */
const MAX_GROWTH = 8;

const micros = (ts: string | undefined): number => {
  const [s = '', f = ''] = (ts ?? '').split('.');
  const n = Number(s) * 1e6 + Number(f.padEnd(6, '0').slice(0, 6));
  return Number.isFinite(n) ? n : 0;
};
const toTs = (us: number): string => {
  const v = Math.max(0, Math.round(us));
  return `${Math.floor(v / 1e6)}.${String(v % 1e6).padStart(6, '0')}`;
};
const isReply = (m: SlackMessage, threadTs: string) => Boolean(m.ts) && m.ts !== threadTs;

/**
 * Reads a thread up to `latest` (the question) so that its newest end always arrives: the parent,
 * the question and the latest replies, in at most 1 + MAX_WINDOW_READS calls for any length.
 *
 * Slack pages a thread oldest first (up to 1,000 a page, the parent repeated on each), so reading
 * forward to the question would cost one call per 1,000 replies. Instead:
 * 1. One page up to the question (`latest`, inclusive). Most threads end there: that is all.
 * 2. Otherwise the thread is read backwards in time windows ending at the question (`oldest` /
 *    `latest`): the first window's width comes from the parent's `reply_count` spread over the time
 *    not yet read, each next one from how many replies the last held. A window with more than a page
 *    (`has_more`) is not followed: it is narrowed and read again. Windows go back until the replies
 *    read fill `budget` (as `sizeOf` counts their text), meet the first page, or the reads are spent; the last read, if nothing
 *    was read whole yet, is the question alone.
 * What lies between the first page and the windows is counted from `reply_count`, not read (replies
 * written after the question, if any, are in that count too).
 */
export async function readThreadEnd(
  client: WebClient,
  channel: string,
  threadTs: string,
  latest: string,
  budget: number,
  sizeOf: (text: string) => number,
): Promise<ThreadRead> {
  let calls = 0;
  const read = async (window: { oldest?: string; latest: string }) => {
    calls++;
    const r = await client.conversations.replies({
      channel,
      ts: threadTs,
      inclusive: true,
      limit: MAX_REPLIES_PER_PAGE,
      ...window,
    });
    const messages = Array.isArray(r.messages) ? (r.messages as SlackMessage[]) : [];
    return { messages, more: Boolean(r.has_more || r.response_metadata?.next_cursor) };
  };
  const first = await read({ latest });
  const parent = first.messages.find((m) => m.ts === threadTs) as ParentMessage | undefined;
  const head = parent ? [parent] : [];
  const firstReplies = first.messages.filter((m) => isReply(m, threadTs));
  if (!first.more) return { messages: [...head, ...firstReplies], unread: 0, calls };

  const readTo = micros(firstReplies.at(-1)?.ts ?? threadTs);
  const total = Math.max(0, Math.trunc(Number(parent?.reply_count) || 0));
  let hi = micros(latest);
  let span = ((hi - readTo) * WINDOW_TARGET) / Math.max(WINDOW_TARGET, total - firstReplies.length);
  const seen = new Set<string>();
  const tail: SlackMessage[][] = [];
  let size = 0;
  let met = false;
  for (let i = 0; i < MAX_WINDOW_READS && size < budget && !met; i++) {
    // The last read, with nothing read whole yet, is the question alone: it always fits a page.
    if (i === MAX_WINDOW_READS - 1 && seen.size === 0) span = 0;
    const lo = Math.max(readTo, hi - span);
    const r = await read({ oldest: toTs(lo), latest: toTs(hi) });
    const replies = r.messages.filter((m) => isReply(m, threadTs));
    if (r.more) {
      // More than a page: the page holds the window's oldest replies, so the newest end lies after
      // its last one. At most `left` replies can be there (reply_count less all those seen): the
      // next window spreads them evenly over that time, never reaching back past the page, so
      // each such read rules out a page and a window that must hold them all is read whole.
      const shown = Math.max(lo, micros(replies.at(-1)?.ts));
      const left = Math.max(1, total - firstReplies.length - replies.length - seen.size);
      span = (hi - shown) * Math.min(1, WINDOW_TARGET / left);
      continue;
    }
    const fresh = replies.filter((m) => !seen.has(m.ts as string));
    for (const m of fresh) {
      seen.add(m.ts as string);
      size += sizeOf(m.text ?? '');
    }
    tail.unshift(fresh);
    met = lo <= readTo;
    hi = lo;
    span = Math.min(span * MAX_GROWTH, (span * WINDOW_TARGET) / Math.max(1, fresh.length));
  }
  const newest = tail.flat();
  if (met) {
    const older = firstReplies.filter((m) => !seen.has(m.ts as string));
    return { messages: [...head, ...older, ...newest], unread: 0, calls };
  }
  return { messages: [...head, ...newest], unread: Math.max(0, total - newest.length), calls };
}

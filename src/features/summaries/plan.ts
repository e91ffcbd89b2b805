/**
 * Planning a summary: the messages as plain data, chunks that fit the context budget (map-reduce),
 * the coverage line, and turning Claude's `(ts: …)` citations into permalinks. No Slack, no SDK.
 */
import { type SummaryTexts, TEXTS } from '../language.js';

/** One message of the conversation being summarized, names already resolved. */
export interface SummaryMessage {
  ts: string;
  /** The thread parent's ts when this message is a reply. */
  parentTs?: string;
  /** Display name of the author (resolved). */
  author: string;
  /** Slack user id of a person; undefined for bots and integrations. */
  userId?: string;
  isBot: boolean;
  text: string;
  /** Link to the message, built from the workspace URL and ts (no API call). */
  permalink: string;
  /** Files shared with it: names and links only (a summary never reads their contents). */
  files?: { name: string; link: string }[];
}

/** What a summary covers, for the coverage line. */
export interface Coverage {
  messages: number;
  people: number;
  threads: number;
  firstTs: string | undefined;
  lastTs: string | undefined;
  /** True when the read cap cut the history short. */
  truncated: boolean;
  cap: number;
}

export function coverageOf(messages: readonly SummaryMessage[], truncated: boolean, cap: number): Coverage {
  const people = new Set(messages.filter((m) => !m.isBot && m.userId).map((m) => m.userId));
  const threads = new Set(messages.filter((m) => m.parentTs).map((m) => m.parentTs));
  const sorted = messages.map((m) => m.ts).sort((a, b) => Number(a) - Number(b));
  return {
    messages: messages.length,
    people: people.size,
    threads: threads.size,
    firstTs: sorted[0],
    lastTs: sorted.at(-1),
    truncated,
    cap,
  };
}

/** UTC fallback for a ts, e.g. "2026-11-25 14:03 UTC". */
export function utcTime(ts: string): string {
  return `${new Date(Number(ts) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * "143 messages from 12 people, 4 threads, from … to …", plus a note when the cap cut history
 * short, in the language of `t`. `time` formats a ts (Slack's date token in messages, UTC text
 * elsewhere).
 */
export function coverageText(
  c: Coverage,
  time: (ts: string) => string = utcTime,
  t: SummaryTexts = TEXTS.en.summaries,
): string {
  return t.coverage({
    messages: c.messages,
    people: c.people,
    threads: c.threads,
    ...(c.firstTs && c.lastTs ? { from: time(c.firstTs), to: time(c.lastTs) } : {}),
    ...(c.truncated ? { cutAt: c.cap } : {}),
  });
}

/** A group of consecutive messages sent to Claude in one call. */
export interface Chunk {
  messages: SummaryMessage[];
  tokens: number;
}

/** A thread parent with its replies (or a lone message): kept in one chunk when it fits. */
function groups(messages: readonly SummaryMessage[]): SummaryMessage[][] {
  const out: SummaryMessage[][] = [];
  for (const m of messages) {
    const last = out.at(-1);
    const head = last?.[0];
    if (last && head && m.parentTs && (m.parentTs === head.ts || m.parentTs === head.parentTs)) last.push(m);
    else out.push([m]);
  }
  return out;
}

/**
 * Splits messages into chunks of at most `budget` tokens, in order, every message exactly once.
 * Threads stay together when they fit; a message larger than the whole budget is clipped.
 */
export function planChunks(
  messages: readonly SummaryMessage[],
  budget: number,
  cost: (m: SummaryMessage) => number,
): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk = { messages: [], tokens: 0 };
  const flush = () => {
    if (current.messages.length) chunks.push(current);
    current = { messages: [], tokens: 0 };
  };
  const add = (m: SummaryMessage) => {
    let msg = m;
    let c = cost(msg);
    if (c > budget) {
      msg = clip(msg, budget, cost);
      c = cost(msg);
    }
    if (current.tokens + c > budget) flush();
    current.messages.push(msg);
    current.tokens += c;
  };
  for (const g of groups(messages)) {
    const total = g.reduce((s, m) => s + cost(m), 0);
    if (total <= budget && current.tokens + total > budget) flush();
    for (const m of g) add(m);
  }
  flush();
  return chunks;
}

function clip(m: SummaryMessage, budget: number, cost: (m: SummaryMessage) => number): SummaryMessage {
  let chars = m.text.length;
  let out = m;
  while (chars > 0 && cost(out) > budget) {
    chars = Math.floor(chars * 0.8);
    out = { ...m, text: `${m.text.slice(0, chars)} […message cut: too long]` };
  }
  return out;
}

/** Groups notes (partial summaries) into batches of at most `budget` tokens, at least two per batch. */
export function batchNotes(
  notes: readonly string[],
  budget: number,
  cost: (s: string) => number,
): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const n of notes) {
    const c = cost(n);
    if (current.length >= 2 && used + c > budget) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(n);
    used += c;
  }
  if (current.length) out.push(current);
  return out;
}

/** `(ts: 1732550400.000100)`, `(ts: A, B)`, `[ts: A; ts: B]` as Claude writes citations. */
const CITATION = /\s?[([]ts:?\s*(\d{9,10}\.\d{6}(?:\s*[,;]\s*(?:ts:?\s*)?\d{9,10}\.\d{6})*)\s*[)\]]/gi;

/**
 * Turns `(ts: …)` citations into Markdown links to the messages. A ts that is not in the
 * conversation (a model slip) is dropped rather than linked anywhere.
 */
export function linkCitations(markdown: string, permalinks: ReadonlyMap<string, string>): string {
  return markdown.replace(CITATION, (_match, list: string) => {
    const urls = [...new Set(list.match(/\d{9,10}\.\d{6}/g) ?? [])]
      .map((ts) => permalinks.get(ts))
      .filter((u): u is string => u !== undefined)
      .slice(0, 5);
    if (urls.length === 0) return '';
    if (urls.length === 1) return ` ([source](${urls[0]}))`;
    return ` (sources: ${urls.map((u, i) => `[${i + 1}](${u})`).join(', ')})`;
  });
}

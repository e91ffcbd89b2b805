/**
 * Message-sized parts of Markdown: one splitter for every writer, measuring characters and, for
 * streamed messages, UTF-8 bytes; code blocks cut in two are closed and reopened. Its cost is linear
 * in the text.
 */
import { type Fence, fenceAfter } from './format-table.js';

/**
 * How much a message part may hold: UTF-16 code units (what Slack counts as characters) and UTF-8
 * bytes (streamed messages are also capped in bytes).
 */
export interface PartRoom {
  chars: number;
  bytes: number;
}

/**
 * Code units of the longest prefix of `text` within `room` in both measures, never ending inside a
 * surrogate pair. Reads at most `room.chars` code units.
 */
export function prefixWithin(text: string, room: PartRoom): number {
  const limit = Math.min(text.length, room.chars);
  let bytes = 0;
  let at = 0;
  while (at < limit) {
    const code = text.charCodeAt(at);
    const next = text.charCodeAt(at + 1);
    const pair = code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff;
    // A lone surrogate is sent as U+FFFD: 3 bytes.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    const units = pair ? 2 : 1;
    if (at + units > limit || bytes + size > room.bytes) break;
    bytes += size;
    at += units;
  }
  return at;
}

/**
 * Splits text into parts of at most `maxChars` characters and `maxBytes` UTF-8 bytes, preferring
 * paragraph breaks, then line breaks, then spaces, else a hard cut (never inside a character); only
 * whitespace at a split point is dropped. A split inside a fenced code block closes the fence and
 * reopens it (same marker and language) in the next part; those lines count toward the limits.
 * Whitespace-only input gives no parts.
 */
export function splitMarkdown(md: string, maxChars: number, maxBytes = Number.POSITIVE_INFINITY): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new RangeError('maxChars must be a positive integer');
  // Four bytes hold any one character.
  if (!(maxBytes >= 4)) throw new RangeError('maxBytes must be at least 4');
  const max = { chars: maxChars, bytes: maxBytes };
  const parts: string[] = [];
  let rest = md;
  let fence: Fence | null = null; // open at the start of `rest`
  while (/\S/.test(rest)) {
    const reopen = fence ? `${fence.open}\n` : '';
    if (prefixWithin(rest, shrink(max, reopen)) === rest.length) {
      parts.push(reopen + rest);
      break;
    }
    const cut = cutPart(rest, max, fence, reopen);
    // Only a one-character limit before a surrogate pair leaves nothing that fits: one unit goes.
    const stuck = !cut.part && cut.next === 0;
    if (cut.part || stuck) parts.push(stuck ? rest.charAt(0) : cut.part);
    rest = rest.slice(stuck ? 1 : cut.next);
    fence = cut.fence;
  }
  return parts;
}

/**
 * Splits `text` where it would overflow a message that already holds `before` and has `room` left,
 * the way splitMarkdown splits: `head` fits the room (closing a code block left open; empty when not
 * even one character fits), `tail` starts the next message (reopening it). For writers that fill a
 * message bit by bit.
 */
export function splitAtRoom(before: string, text: string, room: PartRoom): { head: string; tail: string } {
  const cut = cutPart(text, room, fenceAfter(before, null), '');
  return { head: cut.part, tail: (cut.fence ? `${cut.fence.open}\n` : '') + text.slice(cut.next) };
}

/** `room` less what `text` takes. */
function shrink(room: PartRoom, text: string, extra = 0): PartRoom {
  return { chars: room.chars - text.length - extra, bytes: room.bytes - Buffer.byteLength(text) - extra };
}

/**
 * One part within `max`: `reopen` (the fence line open before it) and as much of `rest` as fits,
 * closing a fence left open. `next` is where the rest starts; `fence` is open there. An empty `part`
 * means leading indentation too wide for any part (dropped rather than sent blank), or, with `next`
 * 0, not even one character fits.
 */
function cutPart(
  rest: string,
  max: PartRoom,
  fence: Fence | null,
  reopen: string,
): { part: string; next: number; fence: Fence | null } {
  for (let reserve = 0; ; ) {
    // Should the fences not leave room for one character, fall back to unfenced parts.
    const fencedBudget = prefixWithin(rest, shrink(max, reopen, reserve));
    const fenced = fencedBudget >= 1;
    const head = fenced ? reopen : '';
    const budget = fenced ? fencedBudget : prefixWithin(rest, max);
    if (budget === 0) return { part: '', next: 0, fence };
    const { end, next } = chooseCut(rest, budget);
    if (end === 0) return { part: '', next, fence };
    const chunk = rest.slice(0, end);
    const after = fenceAfter(chunk, fence);
    const tail = after && fenced ? `\n${after.marker}` : '';
    const part = head + chunk + tail;
    if (part.length <= max.chars && Buffer.byteLength(part) <= max.bytes) return { part, next, fence: after };
    // The closing line is ASCII: as many bytes as characters.
    reserve = Math.max(reserve + 1, tail.length);
  }
}

/** Where to end a part (`end`) and where the next one starts (`next`, past the dropped whitespace). */
function chooseCut(text: string, budget: number): { end: number; next: number } {
  const window = text.slice(0, budget + 1); // whitespace right after the budget can still be dropped
  const separators: Array<[RegExp, number]> = [
    [/\n[^\S\n]*\n/g, 0.5],
    [/\n/g, 0.5],
    [/[ \t]+/g, 0.3],
    [/\s/g, 0],
  ];
  const firstText = text.search(/\S/); // a part must not be whitespace only
  for (const [separator, minShare] of separators) {
    const found = [...window.matchAll(separator)]
      .map((m) => m.index)
      .filter((at) => at <= budget && at >= budget * minShare && at > firstText)
      .pop();
    if (found === undefined) continue;
    const end = text.slice(0, found).trimEnd().length;
    const gap = /^\s*/.exec(text.slice(end))?.[0] ?? '';
    // Drop whitespace up to the last line break only: the next line keeps its indentation.
    const lastBreak = gap.lastIndexOf('\n');
    return { end, next: end + (lastBreak === -1 ? gap.length : lastBreak + 1) };
  }
  // A hard cut (prefixWithin never ends `budget` inside a surrogate pair) inside leading whitespace
  // would make a blank part: drop that whitespace instead.
  return firstText >= budget ? { end: 0, next: firstText } : { end: budget, next: budget };
}

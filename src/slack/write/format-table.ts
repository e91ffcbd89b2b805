/**
 * Line-level Markdown helpers for the Slack formatters: GFM tables (neither Slack's markdown
 * rendering nor mrkdwn draws them, so a table becomes a code block whose columns are padded to line
 * up in Slack's monospace font), code fences, inline code spans and CJK-safe emphasis markers.
 */

type Align = 'left' | 'right' | 'center';

/** Zero-width space: invisible, but it separates characters for Slack's parsers. */
export const ZWSP = '\u200B';
// CJK scripts plus CJK and fullwidth punctuation, next to which Slack misreads emphasis markers.
const CJK =
  '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\u3000-\\u303F\\uFF00-\\uFFEF]';
const CJK_END = new RegExp(`${CJK}$`, 'u');
const CJK_START = new RegExp(`^${CJK}`, 'u');

// East Asian Wide/Fullwidth ranges (plus the common emoji blocks), which monospace fonts draw
// two cells wide; without this a table with Chinese or Japanese cells comes out ragged.
const WIDE =
  /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
// Combining marks (variation selectors included) and zero-width characters (the U+200B we insert
// included) take no cell.
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200B-\u200F\u2060]/u;

/**
 * Longest line the formatters read as Markdown structure (table row, code fence, heading, quote).
 * Model output is hostile: a longer line is plain text, handled in pieces of this size, so every
 * pass over it costs time in proportion to its length however it repeats a character.
 */
export const MAX_LINE_CHARS = 2000;

/** `line` in pieces of at most MAX_LINE_CHARS. */
export function linePieces(line: string): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < line.length; at += MAX_LINE_CHARS) pieces.push(line.slice(at, at + MAX_LINE_CHARS));
  return pieces;
}

/** A table's delimiter row (`|---|:-:|`), checked cell by cell: one regex over the row backtracks on spaces. */
function isDelimiterRow(line: string): boolean {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|')) text = text.slice(0, -1);
  return text.split('|').every((cell) => /^:?-+:?$/.test(cell.trim()));
}

/** Columns a string takes in a monospace font: wide CJK characters count 2, zero-width ones 0. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return width;
}

/** Whether a line could belong to a table: we only treat pipe-led rows as tables (what Claude writes). */
export function isPipeLine(line: string): boolean {
  return line.length <= MAX_LINE_CHARS && /^[ \t]*\|/.test(line);
}

/**
 * Formats a run of consecutive pipe-led lines: from the first header + delimiter row on, the lines
 * become an aligned code block; lines before it (or all, when there is no table) go through `other`.
 */
export function formatPipeLines(lines: string[], other: (line: string) => string): string[] {
  const start = lines.findIndex((line, i) => {
    const next = lines[i + 1];
    return next !== undefined && isDelimiterRow(next) && splitCells(line).length === splitCells(next).length;
  });
  if (start === -1) return lines.map(other);
  return [...lines.slice(0, start).map(other), ...renderTable(lines.slice(start))];
}

function renderTable([head = '', delimiter = '', ...body]: string[]): string[] {
  const aligns = splitCells(delimiter).map((cell): Align => {
    if (!cell.endsWith(':')) return 'left';
    return cell.startsWith(':') ? 'center' : 'right';
  });
  const rows = [head, ...body].map((line) => splitCells(line).map(stripInline));
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, col) =>
    Math.max(1, ...rows.map((row) => displayWidth(row[col] ?? ''))),
  );
  const indent = /^[ \t]*/.exec(head)?.[0] ?? '';
  const format = (row: string[]): string =>
    indent +
    widths
      .map((width, col) => pad(row[col] ?? '', width, aligns[col] ?? 'left'))
      .join(' | ')
      .trimEnd();
  const rule = indent + widths.map((width) => '-'.repeat(width)).join('-+-');
  const [first = [], ...rest] = rows;
  return [`${indent}\`\`\``, format(first), rule, ...rest.map(format), `${indent}\`\`\``];
}

function pad(text: string, width: number, align: Align): string {
  const gap = width - displayWidth(text);
  if (align === 'right') return ' '.repeat(gap) + text;
  if (align === 'center') return ' '.repeat(gap >> 1) + text + ' '.repeat(gap - (gap >> 1));
  return text + ' '.repeat(gap);
}

/** Splits a row on unescaped pipes outside inline code. */
function splitCells(row: string): string[] {
  let text = row.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\' && text.charAt(i + 1) === '|') {
      cell += '\\|';
      i++;
      continue;
    }
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell.trim());
  return cells;
}

/** Plain text of a cell: markers would show literally inside the code block and spoil the widths. */
function stripInline(cell: string): string {
  return cell
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/!?\[([^[\]]*)\]\(([^)\s]*)(?:\s[^)]*)?\)/g, (_, text: string, url: string) =>
      text && text !== url ? `${text} (${url})` : url || text,
    )
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)\1/g, '$2')
    .replace(/(?<![\w*])\*(?=\S)(.+?)\*(?![\w*])/g, '$1')
    .replace(/(?<!\w)_(?=\S)(.+?)_(?!\w)/g, '$1')
    .replace(/~~(.+?)~~/g, '$1')
    .replace(/\\([\\`*_{}[\]()#+\-.!|~])/g, '$1')
    .trim();
}

/** An open fenced code block. */
export interface Fence {
  /** The fence characters, e.g. "```" or "~~~~". */
  marker: string;
  /** Marker plus language, used to reopen the block in the next part. */
  open: string;
}

/** The fence a line opens (a backtick fence's info string cannot contain backticks), if any. */
export function openFence(line: string): Fence | null {
  if (line.length > MAX_LINE_CHARS) return null;
  const match = /^[ \t]*(`{3,}|~{3,})(.*)$/.exec(line);
  const [, marker = '', info = ''] = match ?? [];
  if (!match || (marker.startsWith('`') && info.includes('`'))) return null;
  return { marker, open: marker + (info.trim().split(/\s+/)[0] ?? '') };
}

/** Whether `line` closes `fence`: same character, at least as long, nothing after it. */
export function closesFence(line: string, fence: Fence): boolean {
  if (line.length > MAX_LINE_CHARS) return false;
  const marker = /^[ \t]*(`{3,}|~{3,})\s*$/.exec(line)?.[1];
  return marker !== undefined && marker[0] === fence.marker[0] && marker.length >= fence.marker.length;
}

/** The fence still open after `text`, given the one open before it. */
export function fenceAfter(text: string, start: Fence | null): Fence | null {
  let fence = start;
  for (const line of text.split('\n')) {
    if (fence) fence = closesFence(line, fence) ? null : fence;
    else fence = openFence(line);
  }
  return fence;
}

/** Inline code spans of one line, and where the first unmatched backtick run starts (-1: none). */
export function scanCode(line: string): { spans: Array<[number, number]>; open: number } {
  // Backtick runs as start/length pairs: one pass, no object per run.
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let at = line.indexOf('`'); at !== -1; at = line.indexOf('`', at)) {
    const from = at;
    while (line.charCodeAt(at) === 96) at++;
    starts.push(from);
    lengths.push(at - from);
  }
  // For each run, the next run of the same length (-1: none), found in one backward pass.
  const next: number[] = new Array(starts.length);
  const seen = new Map<number, number>();
  for (let i = starts.length - 1; i >= 0; i--) {
    const len = lengths[i] ?? 0;
    next[i] = seen.get(len) ?? -1;
    seen.set(len, i);
  }
  const spans: Array<[number, number]> = [];
  let open = -1;
  for (let i = 0; i < starts.length; i++) {
    const close = next[i] ?? -1;
    const at = starts[i] ?? 0;
    if (close === -1) {
      if (open === -1) open = at;
      continue;
    }
    spans.push([at, (starts[close] ?? at) + (lengths[i] ?? 0)]);
    i = close;
  }
  return { spans, open };
}

/** U+200B between an emphasis marker and an adjacent CJK character, outside inline code. */
export function fixCjkEmphasis(line: string): string {
  if (!/[*_~]/.test(line)) return line;
  const { spans } = scanCode(line);
  let span = 0; // runs come in order, so the spans before a run are never needed again
  return line.replace(/\*+|_+|~{2,}/g, (run: string, at: number) => {
    while ((spans[span]?.[1] ?? Number.POSITIVE_INFINITY) <= at) span++;
    if ((spans[span]?.[0] ?? Number.POSITIVE_INFINITY) <= at) return run;
    const end = at + run.length;
    const before = CJK_END.test(line.slice(Math.max(0, at - 2), at)) ? ZWSP : '';
    return before + run + (CJK_START.test(line.slice(end, end + 2)) ? ZWSP : '');
  });
}

/** How much of a partial line `fixCjkEmphasis` treats the same whatever follows. */
export function inlineCut(line: string): number {
  let cut = trailingRun(line, line.length, '`'); // a trailing backtick run may still grow
  const { open } = scanCode(line.slice(0, cut));
  if (open !== -1) cut = open; // an unmatched run may still be closed later
  return trailingRun(line, cut, '*_~'); // the next character decides the ZWSP
}

/** Where the run of `chars` ending at `end` starts (a regex anchored at `$` retries every start). */
function trailingRun(text: string, end: number, chars: string): number {
  let at = end;
  while (at > 0 && chars.includes(text.charAt(at - 1))) at--;
  return at;
}

/**
 * Turns Claude's Markdown into what Slack shows well: Markdown for `markdown_text` / markdown blocks
 * (Slack renders it, except tables), and mrkdwn for `text` and section blocks (parts: split.ts).
 * Every path defuses mass mentions: model output must never ping a whole channel.
 */
import { MAX_NOTIFICATION_CHARS } from '../limits.js';
import {
  closesFence,
  type Fence,
  fixCjkEmphasis,
  formatPipeLines,
  inlineCut,
  isPipeLine,
  linePieces,
  MAX_LINE_CHARS,
  openFence,
  ZWSP,
} from './format-table.js';

const MASS_WORDS = ['channel', 'here', 'everyone', 'group'];
// Longest body of a Slack token (`<…>`) read as one: the stream holds an unfinished token back, so
// its length must be bounded; a longer one is text, its `<!` defused like any other.
const MAX_TOKEN_CHARS = 1000;
/**
 * Longest label a user mention (`<@U123|label>`) keeps: Slack shows the label in place of the name,
 * so a long one is a wall of text dressed as a person.
 */
export const MAX_MENTION_LABEL_CHARS = 100;
// One regex, one pass: with no replacement feeding another, a stream can be cut anywhere no match
// can span and still give the same result. `<`/`>` are excluded inside tokens so they cannot nest.
// Slack's own `<!…>` commands become text; any other `<!` (HTML `<!DOCTYPE>`, `<!--`, a stray one)
// gets U+200B after the `<`, which keeps code samples intact but can never form a command.
const MENTION = new RegExp(
  `<(?=[^<>\\n]{1,${MAX_TOKEN_CHARS}}>)(?:!((?:here|channel|everyone|group|subteam|date)(?![\\w-])[^<>\\n]*)|([a-z][a-z0-9+.-]*:[^|<>\\n]*)\\|([^<>\\n]*)|@([UW][A-Z0-9]+)(?:\\|([^<>\\n]*))?)>|<!|(?<![\\w.+-])@(channel|here|everyone)\\b|\\[@(?!\u200B)|<(?=@)`,
  'gi',
);
// A fragment at the end of a stream chunk that more text could still turn into a MENTION match.
const OPEN_TOKEN =
  /^<(?:![^<>\n]*|@[A-Z0-9]*(?:\|[^<>\n]*)?|[a-z][a-z0-9+.-]*(?::[^|<>\n]*(?:\|[^<>\n]*)?)?)?$/i;
const LONGEST_MASS_WORD = Math.max(...MASS_WORDS.map((word) => word.length));
/**
 * Who the text may ping: `mentionable(id)` says whether a user mention (`<@U…>`) stays one; any
 * other becomes `@name` as plain text (the mention's label, `nameOf(id)`, or "someone"). Unset:
 * user mentions are kept.
 */
export interface MentionPolicy {
  mentionable(userId: string): boolean;
  nameOf?(userId: string): string | undefined;
}

/** Incremental formatter for streamed replies; concatenated outputs equal `formatMarkdownForSlack(input)`. */
export interface StreamFormatter {
  /** Takes the next delta and returns the text that is final and safe to send now. */
  push(delta: string): string;
  /** Returns everything still held back; the formatter is then ready for a new stream. */
  end(): string;
}

/** An `@` followed by U+200B reads the same but Slack cannot parse it as a mention. */
const defuse = (text: string): string => text.replace(/@(?!\u200B)/g, `@${ZWSP}`);

/**
 * Makes mass mentions harmless everywhere (code included): Slack commands (`<!here>`,
 * `<!channel|…>`, `<!subteam^S1|@team>`, `<!date^…|label>`) become readable text such as `@here` or
 * `@team`, with U+200B after the `@`; other `<!…>` get U+200B after the `<`; plain
 * `@here`/`@channel`/`@everyone` and `@`-labels of links (`<url|@here>`, `[@channel](url)`) get U+200B
 * after the `@`. Channel mentions (`<#C1>`) are kept; user mentions (`<@U123>`) too, unless `policy`
 * says the person is not in the conversation: then they become `@name`, which pings nobody.
 */
export function neutralizeMentions(text: string, policy?: MentionPolicy): string {
  const replace = (match: string, ...groups: Array<string | number | undefined>): string => {
    const [command, url, label, user, userLabel, word, offset] = groups;
    if (typeof user === 'string') {
      if (!policy || policy.mentionable(user)) {
        return typeof userLabel === 'string' && userLabel.length > MAX_MENTION_LABEL_CHARS
          ? `<@${user}|${capLabel(userLabel)}>`
          : match;
      }
      const name =
        (typeof userLabel === 'string' && userLabel.replace(/^@/, '')) || policy.nameOf?.(user) || 'someone';
      return `@${ZWSP}${capLabel(name)}`;
    }
    if (typeof command === 'string') {
      const readable = defuse(describeCommand(command));
      // Removing `<`/`>` must not let the text join what precedes it into a new mention.
      const before = text.charAt(Number(offset) - 1);
      return before === '<' || before === '@' ? ZWSP + readable : readable;
    }
    if (typeof url === 'string') return `<${url}|${defuse(String(label ?? ''))}>`;
    if (typeof word === 'string') return `@${ZWSP}${word}`;
    // `<!` or `<@` that is no token (too long, unclosed): never a command or a mention.
    if (match === '<!') return `<${ZWSP}!`;
    return match === '<' ? `<${ZWSP}` : `${match}${ZWSP}`;
  };
  return text.replace(MENTION, replace);
}

/** A mention label cut to MAX_MENTION_LABEL_CHARS (never inside a surrogate pair), with "…". */
function capLabel(label: string): string {
  if (label.length <= MAX_MENTION_LABEL_CHARS) return label;
  const cut = /[\uD800-\uDBFF]/.test(label.charAt(MAX_MENTION_LABEL_CHARS - 1))
    ? MAX_MENTION_LABEL_CHARS - 1
    : MAX_MENTION_LABEL_CHARS;
  return `${label.slice(0, cut)}…`;
}

function describeCommand(command: string): string {
  const bar = command.indexOf('|');
  // Slack's own fallback label (e.g. "@team", a formatted date) is the most readable text.
  if (bar !== -1 && bar < command.length - 1) return command.slice(bar + 1);
  const name = (bar === -1 ? command : command.slice(0, bar)).split('^')[0]?.trim() ?? '';
  if (name.toLowerCase() === 'subteam') return '@team';
  return MASS_WORDS.includes(name.toLowerCase()) ? `@${name}` : name;
}

/**
 * Markdown for Slack's `markdown_text` and markdown blocks: mentions neutralised, tables turned into
 * aligned code blocks, and U+200B between emphasis markers and adjacent CJK characters outside code
 * (Slack otherwise shows the asterisks of `**重要**です` literally).
 */
export function formatMarkdownForSlack(md: string, policy?: MentionPolicy): string {
  const formatter = createStreamFormatter(policy);
  return formatter.push(md) + formatter.end();
}

/**
 * The `formatMarkdownForSlack` transformation for a stream of deltas. It holds back only what later
 * text could still change: table rows until the table ends, a partial line that may become a table
 * row or code fence, an unfinished mention token, trailing emphasis markers or an unclosed code span.
 */
export function createStreamFormatter(policy?: MentionPolicy): StreamFormatter {
  const mentions = mentionStream(policy);
  const lines = lineStream();
  return {
    push: (delta) => lines.push(mentions.push(delta)),
    end: () => lines.push(mentions.end()) + lines.end(),
  };
}

function mentionStream(policy: MentionPolicy | undefined): StreamFormatter {
  let held = '';
  let previous = ''; // last character sent: MENTION's look-behind needs it
  const take = (count: number): string => {
    const piece = held.slice(0, count);
    held = held.slice(count);
    if (piece === '') return '';
    // `previous` never starts a match (such a tail would have been held), so it comes back unchanged.
    const out = neutralizeMentions(previous + piece, policy).slice(previous.length);
    previous = piece.slice(-1);
    return out;
  };
  return {
    push(delta) {
      held += delta;
      return take(mentionCut(held));
    },
    end() {
      const out = take(held.length);
      previous = '';
      return out;
    },
  };
}

/**
 * Length of the prefix of `text` that no later text can change the neutralisation of. Only the end
 * can still change: the last `<` (a token has no `<` inside), an `@` and the letters after it, a `[`.
 */
function mentionCut(text: string): number {
  let cut = text.length;
  const lt = text.lastIndexOf('<');
  if (lt !== -1 && text.length - lt <= MAX_TOKEN_CHARS + 1 && OPEN_TOKEN.test(text.slice(lt))) cut = lt;
  let word = cut;
  while (word > 0 && cut - word < LONGEST_MASS_WORD && /[a-z]/i.test(text.charAt(word - 1))) word--;
  const letters = text.slice(word, cut).toLowerCase();
  if (text.charAt(word - 1) === '@' && MASS_WORDS.some((w) => w.startsWith(letters))) cut = word - 1;
  if (text.charAt(cut - 1) === '[') cut--; // `[` may become `[@`
  if (/[\uD800-\uDBFF]/.test(text.charAt(cut - 1))) cut--; // never split a surrogate pair
  return cut;
}

// A partial line is formatted on every delta up to this length; a longer one only once it has grown
// by 1/8th, so a line costs a bounded number of passes per character, not one pass per delta.
const EAGER_LINE_CHARS = 256;
const PARTIAL_STEP_SHIFT = 3;

function lineStream(): StreamFormatter {
  let fence: Fence | null = null;
  let line = ''; // the current line so far (at most MAX_LINE_CHARS: a longer one comes in pieces)
  let continued = false; // `line` continues a longer line: plain text, never table or fence
  let sent = 0; // output characters of the current line already returned
  let formatted = 0; // length of `line` when a partial line was last formatted
  let table: string[] = [];
  let tableEndsLine = true;

  const flushTable = (): string => {
    if (table.length === 0) return '';
    // Stripping markers from cells can rebuild a mention (`@**here**`), so neutralise again.
    const out = neutralizeMentions(formatPipeLines(table, fixCjkEmphasis).join('\n'));
    table = [];
    return tableEndsLine ? `${out}\n` : out;
  };
  const finishLine = (eol: string, plain: boolean): string => {
    const text = line;
    const done = sent;
    line = '';
    sent = 0;
    formatted = 0;
    if (fence) {
      if (!plain && closesFence(text, fence)) fence = null;
      return text.slice(done) + eol;
    }
    if (!plain && isPipeLine(text)) {
      table.push(text);
      tableEndsLine = eol !== '';
      return eol ? '' : flushTable();
    }
    const before = flushTable();
    const opened = plain ? null : openFence(text);
    if (opened) fence = opened;
    return before + (opened ? text : fixCjkEmphasis(text)).slice(done) + eol;
  };
  const partial = (): string => {
    if (fence) {
      // Code passes through unchanged, whether or not this line turns out to close the fence.
      const out = line.slice(sent);
      sent = line.length;
      return out;
    }
    // Undecided: blank so far, a table row, or (part of) a fence line.
    if (!continued && /^[ \t]*(?:\||`{3,}|~{3,}|`*$|~*$)/.test(line)) return '';
    const step = formatted < EAGER_LINE_CHARS ? 0 : formatted >> PARTIAL_STEP_SHIFT;
    if (line.length - formatted <= step) return '';
    formatted = line.length;
    const fixed = fixCjkEmphasis(line.slice(0, inlineCut(line)));
    const out = flushTable() + fixed.slice(sent);
    sent = Math.max(sent, fixed.length);
    return out;
  };
  return {
    push(text) {
      let out = '';
      let nl = text.indexOf('\n');
      for (let start = 0; start < text.length; ) {
        if (nl !== -1 && nl < start) nl = text.indexOf('\n', start);
        const take = Math.min(nl === -1 ? text.length : nl, start + MAX_LINE_CHARS - line.length);
        line += text.slice(start, take);
        start = take;
        if (line.length >= MAX_LINE_CHARS) {
          // Too long for a table row or fence: plain text, finished piece by piece.
          out += finishLine('', true);
          continued = true;
        } else if (take === nl) {
          out += finishLine('\n', continued);
          continued = false;
          start = nl + 1;
        }
      }
      return out + partial();
    },
    end() {
      const out = (line === '' ? '' : finishLine('', continued)) + flushTable();
      fence = null;
      continued = false;
      return out;
    },
  };
}

/**
 * Slack mrkdwn (for `text` and section blocks): `*bold*`, `_italic_`, `~strike~`, `<url|label>`,
 * `*headings*`, `•`/`◦` bullets, `───` rules, tables and fences as plain ``` blocks, `&<>` escaped
 * outside code while Slack tokens (`<@U1>`, `<#C1|x>`, `<https://…|x>`) stay intact; mentions defused.
 */
export function markdownToMrkdwn(md: string): string {
  const out: string[] = [];
  let fence: Fence | null = null;
  let table: string[] = [];
  const flushTable = (): void => {
    out.push(...formatPipeLines(table, mrkdwnLine));
    table = [];
  };
  for (const line of neutralizeMentions(md).split('\n')) {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (fence) {
      const closed = closesFence(line, fence);
      if (closed) fence = null;
      out.push(closed ? `${indent}\`\`\`` : line);
    } else if (isPipeLine(line)) {
      table.push(line);
    } else if (line.length > MAX_LINE_CHARS) {
      flushTable();
      out.push(
        linePieces(line)
          .map((piece) => mrkdwnInline(piece, '*'))
          .join(''),
      );
    } else {
      flushTable();
      fence = openFence(line);
      // Slack has no syntax highlighting and would show the language tag as code.
      out.push(fence ? `${indent}\`\`\`` : mrkdwnLine(line));
    }
  }
  flushTable();
  return neutralizeMentions(out.join('\n'));
}

function mrkdwnLine(line: string): string {
  const quote = /^[ \t]*(?:>[ \t]?)+/.exec(line);
  // Slack quotes do not nest; one `> ` keeps the text quoted.
  if (quote) return `> ${mrkdwnLine(line.slice(quote[0].length))}`.trimEnd();
  if (/^[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/.test(line)) return '───';
  const heading = /^[ \t]{0,3}#{1,6}[ \t]+(.*)$/.exec(line);
  if (heading) {
    // mrkdwn cannot nest bold, so bold inside a heading just joins the heading's own.
    const text = mrkdwnInline(headingText(heading[1] ?? ''), '');
    return text ? `*${text}*` : '';
  }
  const item = /^([ \t]*)[-*+][ \t]+(?:\[([ xX])\][ \t]+)?(.*)$/.exec(line);
  if (item) {
    const [, indent = '', task, rest = ''] = item;
    const box = task === undefined ? '' : task === ' ' ? '☐ ' : '☑ ';
    return `${indent}${indent.length >= 2 ? '◦' : '•'} ${box}${mrkdwnInline(rest, '*')}`;
  }
  return mrkdwnInline(line, '*');
}

/** A heading's text without its closing `#`s; no regex, which would backtrack on runs of spaces. */
function headingText(rest: string): string {
  const text = rest.trimEnd();
  let hashes = text.length;
  while (hashes > 0 && text.charAt(hashes - 1) === '#') hashes--;
  const spaced = hashes > 0 && /[ \t]/.test(text.charAt(hashes - 1));
  return spaced ? text.slice(0, hashes).trimEnd() : text;
}

// Code spans, Slack tokens, Markdown links/images, backslash escapes and bare URLs: kept out of the
// escaping and emphasis rewriting below.
const PROTECTED =
  /(?<!`)(`+)(?!`)[^\n]*?(?<!`)\1(?!`)|<(?:[@#!][^<>\s|]*|(?:https?|mailto):[^<>\s|]*)(?:\|[^<>\n]*)?>|!?\[([^[\]\n]*)\]\(\s*([^()\s]+(?:\([^()\s]*\)[^()\s]*)*)(?:\s+"[^"\n]*")?\s*\)|\\([\\`*_{}[\]()#+\-.!~|<>&])|\b(https?:\/\/[^\s<>]*[^\s<>*_~.,;:!?)\]'"])/g;

const escapeText = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Plain text for mrkdwn: &, < and > escaped, so nothing in it becomes a mention, a link or markup. */
export const escapeMrkdwn = escapeText;

function mrkdwnInline(text: string, bold: string): string {
  // Most lines of an answer, and every line of some hostile ones, have nothing to convert.
  if (!/[`<>&*_~[\\:\uE000-\uE002]/.test(text)) return text;
  const kept: string[] = [];
  // Private-use characters stand in for protected pieces; Claude does not emit them.
  const keep = (piece: string): string => `\uE000${kept.push(piece) - 1}\uE001`;
  let out = text.replace(/[\uE000-\uE002]/g, '');
  out = out.replace(
    PROTECTED,
    (match: string, _ticks?: string, label?: string, url?: string, escaped?: string, bare?: string) => {
      if (escaped !== undefined) return keep(escapeText(escaped));
      if (bare !== undefined) return keep(escapeText(bare));
      if (url === undefined) return keep(match);
      const name = escapeText(label ?? '')
        .replace(/(\*\*|__|~~|`)(.+?)\1/g, '$2')
        .trim();
      if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return keep(name || escapeText(url));
      const target = url.replace(/[<>|]/g, encodeURIComponent);
      return keep(name && name !== url ? `<${target}|${name}>` : `<${target}>`);
    },
  );
  out = escapeText(out)
    .replace(/\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*/g, '\uE002_$1_\uE002')
    .replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)/g, '\uE002$1$2\uE002')
    .replace(/(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])/g, '_$1_')
    .replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '~$1~')
    .replace(/\uE002/g, bold);
  return out.replace(/\uE000(\d+)\uE001/g, (_, index: string) => kept[Number(index)] ?? '');
}

/** The plain `text` of a message (notifications, screen readers): mrkdwn, within Slack's limit. */
export function notificationText(md: string): string {
  const text = markdownToMrkdwn(md);
  return text.length > MAX_NOTIFICATION_CHARS ? `${text.slice(0, MAX_NOTIFICATION_CHARS - 10)}…` : text;
}

/**
 * `text` on one line, at most `max` characters: cut at a word with "…" when longer (titles of
 * sessions and suggested prompts).
 */
export function cutAtWord(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

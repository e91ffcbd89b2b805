import { MAX_PART_CHARS } from '../../slack/limits.js';
import { neutralizeMentions, notificationText } from '../../slack/write/format.js';
import { splitMarkdown } from '../../slack/write/split.js';
import { type SummaryTexts, TEXTS } from '../language.js';
import type { SummaryWindow } from './args.js';
import { type Coverage, coverageText, type SummaryMessage, utcTime } from './plan.js';

/** action_id of the "Share in channel" button. */
export const SHARE_ACTION_ID = 'summary_share';
/** action_id of the "Save as canvas" button. */
export const CANVAS_ACTION_ID = 'summary_canvas';
/** action_id of the Stop button under a summary's progress. */
export const STOP_ACTION_ID = 'summary_stop';

type Block = Record<string, unknown>;

/** Escapes text for mrkdwn and defuses mass mentions (names and labels come from users). */
export function mrkdwnText(text: string): string {
  return neutralizeMentions(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** What the person's words below default to: English (routines' digests have no asker). */
const EN = TEXTS.en.summaries;

/**
 * A window as the person reads it ("die letzten 3 Stunden", "このスレッド"); the label Claude
 * reads stays the window's own (English, part of the cache key). A window made elsewhere (a
 * routine's) keeps its label.
 */
export function windowLabel(w: SummaryWindow, t: SummaryTexts): string {
  if (w.kind === 'thread') return t.thisThread;
  if (w.kind === 'count') return t.lastMessages(w.count);
  const d = w.kind === 'duration' ? /^(\d+)([mhdw])$/.exec(w.key) : null;
  return d ? t.lastUnits(Number(d[1]), d[2] as 'm' | 'h' | 'd' | 'w') : w.label;
}

/** Coverage with Slack date tokens: each reader sees the times in their own time zone. */
export function coverageMrkdwn(c: Coverage, t: SummaryTexts = EN): string {
  const time = (ts: string) => `<!date^${Math.floor(Number(ts))}^{date_short_pretty} {time}|${utcTime(ts)}>`;
  return `:mag: ${coverageText(c, time, t)}`;
}

/** Files listed under a summary; more are counted. Keeps the context line far below Slack's 3,000 characters. */
const MAX_LISTED_FILES = 10;
/** Characters of a listed file name. */
const MAX_LISTED_NAME = 80;

/** The files shared in what a summary covers, as links (names only: contents are never read). */
export function filesMrkdwn(messages: readonly SummaryMessage[], t: SummaryTexts = EN): string | undefined {
  const files = messages.flatMap((m) => m.files ?? []);
  if (files.length === 0) return undefined;
  const links = files.slice(0, MAX_LISTED_FILES).map((f) => {
    const url = /^https?:\/\/[^\s|<>]+$/.test(f.link) ? f.link : undefined;
    const name = mrkdwnText(f.name.slice(0, MAX_LISTED_NAME)).replace(/\|/g, '¦');
    return url ? `<${url}|${name}>` : name;
  });
  return `:paperclip: ${t.files(links.join(', '), Math.max(0, files.length - MAX_LISTED_FILES))}`;
}

/** The summary as one markdown block: formatted text, clipped to what one message can carry. */
export function clipMarkdown(formatted: string, t: SummaryTexts = EN): string {
  if (formatted.length <= MAX_PART_CHARS) return formatted;
  const head = splitMarkdown(formatted, MAX_PART_CHARS)[0] ?? '';
  return `${head}\n\n${t.cut}`;
}

/** Blocks of a summary: title, text, coverage, and a share button for the private version. */
export function summaryBlocks(opts: {
  title: string;
  markdown: string;
  coverage: string;
  shareId?: string;
  t?: SummaryTexts;
}): { text: string; blocks: Block[] } {
  const t = opts.t ?? EN;
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwnText(opts.title)}*` } },
    { type: 'markdown', text: opts.markdown },
    { type: 'context', elements: [{ type: 'mrkdwn', text: opts.coverage }] },
  ];
  if (opts.shareId) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: SHARE_ACTION_ID,
          text: { type: 'plain_text', text: t.shareButton },
          value: opts.shareId,
        },
        {
          type: 'button',
          action_id: CANVAS_ACTION_ID,
          text: { type: 'plain_text', text: t.canvasButton },
          value: opts.shareId,
        },
      ],
    });
  }
  return { text: neutralizeMentions(opts.title), blocks };
}

/** The public post: a short parent (title, who asked, coverage) with the summary in its thread. */
export function publicParent(title: string, requester: string, coverage: string, t: SummaryTexts = EN) {
  const text = `:memo: ${t.publicParent(mrkdwnText(title), mrkdwnText(requester))}`;
  return {
    text: neutralizeMentions(t.publicFallback(title, requester)),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: coverage }] },
    ],
  };
}

/** The summary as the thread reply of a public post; `text` is the notification fallback. */
export function publicReply(markdown: string): { text: string; blocks: Block[] } {
  return {
    text: notificationText(markdown),
    blocks: [{ type: 'markdown', text: markdown }],
  };
}

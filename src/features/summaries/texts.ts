import { MAX_PART_CHARS } from '../../slack/limits.js';
import { neutralizeMentions, notificationText } from '../../slack/write/format.js';
import { splitMarkdown } from '../../slack/write/split.js';
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

/** Coverage with Slack date tokens: each reader sees the times in their own time zone. */
export function coverageMrkdwn(c: Coverage): string {
  const time = (ts: string) => `<!date^${Math.floor(Number(ts))}^{date_short_pretty} {time}|${utcTime(ts)}>`;
  return `:mag: ${coverageText(c, time)}`;
}

/** Files listed under a summary; more are counted. Keeps the context line far below Slack's 3,000 characters. */
const MAX_LISTED_FILES = 10;
/** Characters of a listed file name. */
const MAX_LISTED_NAME = 80;

/** The files shared in what a summary covers, as links (names only: contents are never read). */
export function filesMrkdwn(messages: readonly SummaryMessage[]): string | undefined {
  const files = messages.flatMap((m) => m.files ?? []);
  if (files.length === 0) return undefined;
  const links = files.slice(0, MAX_LISTED_FILES).map((f) => {
    const url = /^https?:\/\/[^\s|<>]+$/.test(f.link) ? f.link : undefined;
    const name = mrkdwnText(f.name.slice(0, MAX_LISTED_NAME)).replace(/\|/g, '¦');
    return url ? `<${url}|${name}>` : name;
  });
  const more = files.length > MAX_LISTED_FILES ? ` and ${files.length - MAX_LISTED_FILES} more` : '';
  return `:paperclip: Files shared: ${links.join(', ')}${more}`;
}

/** The summary as one markdown block: formatted text, clipped to what one message can carry. */
export function clipMarkdown(formatted: string): string {
  if (formatted.length <= MAX_PART_CHARS) return formatted;
  const head = splitMarkdown(formatted, MAX_PART_CHARS)[0] ?? '';
  return `${head}\n\n_…the summary was too long for one message and was cut here._`;
}

/** Blocks of a summary: title, text, coverage, and a share button for the private version. */
export function summaryBlocks(opts: {
  title: string;
  markdown: string;
  coverage: string;
  shareId?: string;
}): { text: string; blocks: Block[] } {
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
          text: { type: 'plain_text', text: 'Share in channel' },
          value: opts.shareId,
        },
        {
          type: 'button',
          action_id: CANVAS_ACTION_ID,
          text: { type: 'plain_text', text: 'Save as canvas' },
          value: opts.shareId,
        },
      ],
    });
  }
  return { text: neutralizeMentions(opts.title), blocks };
}

/** The public post: a short parent (title, who asked, coverage) with the summary in its thread. */
export function publicParent(title: string, requester: string, coverage: string) {
  const text = `:memo: ${mrkdwnText(title)}, asked for by ${mrkdwnText(requester)}. The summary is in the thread.`;
  return {
    text: neutralizeMentions(`${title}, asked for by ${requester}`),
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

/** A summary of another conversation that is not a public channel is never shown elsewhere. */
export const FOREIGN_PRIVATE_TEXT =
  'That link points to a private conversation. Run `/summarize` with the link inside that conversation, so the summary stays where the messages are.';

/** A guest's link to a conversation they are not a member of (guests read only their own). */
export const NOT_YOURS_TEXT =
  'That link points to a conversation you are not a member of, so I can’t summarize it for you. Run `/summarize` there once you have joined it.';

/** Slack did not say whether the person may read the linked conversation. */
export const UNCHECKED_READER_TEXT =
  'I could not check with Slack whether you can read that conversation, so I did not summarize it. Please try again later.';

/** A share whose title was posted but whose text could not be, nor the title removed. */
export function halfSharedText(why: string): string {
  return `The summary’s title was posted in the channel, but its text could not be added under it. ${why} Run \`/summarize\` again to share a new one.`;
}

/**
 * Slack's limits on what the bot writes and reads, one constant each. Every writer and reader uses
 * these; the simulated Slack (sandbox/slack) enforces the platform's own values.
 */

/**
 * Characters per message part: a markdown block, and each chat stream call, take 12,000; a margin
 * is kept for the notes the bot adds (continued, interrupted).
 * @see https://docs.slack.dev/reference/block-kit/blocks/markdown-block
 */
export const MAX_PART_CHARS = 11_000;

/**
 * UTF-8 bytes per streamed message. Slack caps a streamed message's markdown in bytes as well: past
 * about 10,600–11,300 bytes (measured: 10,571 accepted, 10,821 rejected) chat.appendStream and
 * chat.stopStream answer `msg_too_long`, which CJK text (3 bytes a character) reaches near 3,600
 * characters. The margin leaves room for the notes the bot adds.
 * @see LIBRARY-FACTS.md, "Slack in the field"
 */
export const MAX_STREAM_BYTES = 10_000;

/**
 * The plain `text` of a message beside its blocks (notifications, screen readers): Slack shows
 * section text up to 3,000 characters.
 * @see https://docs.slack.dev/reference/block-kit/blocks/section-block
 */
export const MAX_NOTIFICATION_CHARS = 3000;

/**
 * Messages per conversations.replies page, the thread's parent included (Slack repeats it at the
 * top of every page): both the default and the maximum are 1,000.
 * @see https://docs.slack.dev/reference/methods/conversations.replies
 */
export const MAX_REPLIES_PER_PAGE = 1000;

/**
 * Characters of a canvas's markdown: "The markdown content is limited to 1 MiB (1,048,576
 * characters)". A margin is kept for the sections a routine adds later.
 * @see https://docs.slack.dev/reference/methods/conversations.canvases.create (document_content)
 */
export const MAX_CANVAS_CHARS = 1_000_000;

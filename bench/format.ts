/**
 * Formatting cost of hostile model output: an answer that repeats one Markdown or mention character
 * (`@`, `*`, `_`, `` ` ``, `|`, `>`) against ordinary prose of the same length, both streamed in
 * 8-character deltas the way the bot receives them, then turned into the notification text and split
 * into messages. Each delta is its own macrotask, as in the bot, so the event loop's longest stall is
 * the longest single formatting step.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAX_PART_CHARS } from '../src/slack/limits.js';
import { createStreamFormatter, notificationText, splitMarkdown } from '../src/slack/write/format.js';

const DELTA = 8;
export const HOSTILE_CHARS = ['@', '*', '_', '`', '|', '>'] as const;

/** Ordinary prose: sentences with a little Markdown, paragraphs of a few lines. */
export function prose(length: number): string {
  const sentences = [
    'The **cache** keeps answers for an hour, so a repeated question costs nothing. ',
    'See `config.ts` for the _settings_, and [the docs](https://example.test/docs) for more. ',
    'Each reply streams into the thread as Claude writes it. ',
    '- a list item with a `code span` and a link to https://example.test/a_b\n',
    'When the queue is full, people get a clear message instead of silence.\n\n',
  ];
  let text = '';
  for (let i = 0; text.length < length; i++) text += sentences[i % sentences.length];
  return text.slice(0, length);
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Milliseconds of formatting work for one answer, streamed in deltas. */
async function formatOnce(text: string): Promise<number> {
  const formatter = createStreamFormatter();
  let busy = 0;
  let out = '';
  for (let i = 0; i < text.length; i += DELTA) {
    const began = performance.now();
    out += formatter.push(text.slice(i, i + DELTA));
    busy += performance.now() - began;
    await tick();
  }
  const began = performance.now();
  out += formatter.end();
  notificationText(out);
  splitMarkdown(out, MAX_PART_CHARS);
  return busy + performance.now() - began;
}

export interface FormatResult {
  kb: number;
  proseMsPerKb: number;
  hostileMsPerKb: number;
  worstChar: string;
  /** The event loop's longest stall while the hostile answers were formatted. */
  maxStallMs: number;
}

/** Formatting time per KB, prose and the worst hostile character, at `kb` kilobytes. */
export async function measureFormat(kb: number): Promise<FormatResult> {
  const length = kb * 1000;
  await formatOnce(prose(length)); // warm-up
  const proseMs = await formatOnce(prose(length));
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let worst = { ms: 0, char: '' };
  for (const char of HOSTILE_CHARS) {
    const ms = await formatOnce(char.repeat(length));
    if (ms > worst.ms) worst = { ms, char };
  }
  loop.disable();
  return {
    kb,
    proseMsPerKb: proseMs / kb,
    hostileMsPerKb: worst.ms / kb,
    worstChar: worst.char,
    maxStallMs: loop.max / 1e6,
  };
}

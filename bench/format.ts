/**
 * Formatting cost of hostile model output: an answer that repeats one Markdown or mention character
 * (`@`, `*`, `_`, `` ` ``, `|`, `>`) against ordinary prose of the same length, both streamed in
 * 8-character deltas the way the bot receives them, then turned into the notification text and split
 * into messages. Each delta is its own macrotask, as in the bot, so the event loop's longest stall is
 * the longest single formatting step.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAX_PART_CHARS } from '../src/slack/limits.js';
import { createStreamFormatter, notificationText } from '../src/slack/write/format.js';
import { splitMarkdown } from '../src/slack/write/split.js';

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

// Runs per answer: the fastest is kept, as other processes on the machine only ever add time.
const RUNS = 3;

/** Milliseconds of work per text and the event loop's longest stall (ms) while formatting `texts`. */
async function formatAll(texts: string[]): Promise<{ ms: number[]; stallMs: number }> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const ms: number[] = [];
  for (const text of texts) {
    let best = Number.POSITIVE_INFINITY;
    for (let run = 0; run < RUNS; run++) best = Math.min(best, await formatOnce(text));
    ms.push(best);
  }
  loop.disable();
  return { ms, stallMs: loop.max / 1e6 };
}

export interface FormatResult {
  kb: number;
  proseMsPerKb: number;
  proseStallMs: number;
  hostileMsPerKb: number;
  worstChar: string;
  /** The event loop's longest stall while the hostile answers were formatted. */
  hostileStallMs: number;
}

let warm = false;

/** Formatting time per KB, prose and the worst hostile character, at `kb` kilobytes. */
export async function measureFormat(kb: number): Promise<FormatResult> {
  const length = kb * 1000;
  if (!warm) await formatAll([prose(5000), ...HOSTILE_CHARS.map((char) => char.repeat(5000))]);
  warm = true;
  const plain = await formatAll([prose(length)]);
  const hostile = await formatAll(HOSTILE_CHARS.map((char) => char.repeat(length)));
  const worst = Math.max(...hostile.ms);
  return {
    kb,
    proseMsPerKb: (plain.ms[0] ?? 0) / kb,
    proseStallMs: plain.stallMs,
    hostileMsPerKb: worst / kb,
    worstChar: HOSTILE_CHARS[hostile.ms.indexOf(worst)] ?? '',
    hostileStallMs: hostile.stallMs,
  };
}

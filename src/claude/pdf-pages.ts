import { Worker } from 'node:worker_threads';
import { oneDecodeAtATime } from './decode-lock.js';

/**
 * Pages of a PDF, as a PDF reader counts them: the leaves of its page tree, wherever its objects
 * are (compressed object streams and xref streams included), parsed by @cantoo/pdf-lib (the kept
 * fork of pdf-lib) in a worker thread that starts on the first PDF. A hostile file costs bounded
 * time and memory: the parse is stopped past COUNT_TIMEOUT_MS or MAX_PARSE_GROWTH_BYTES, and then
 * the count is unknown.
 */

/** Pages of all PDFs in one request (Claude's own limit). */
export const MAX_PDF_PAGES = 100;
/** How long one count may take, the parser's first start included. */
const COUNT_TIMEOUT_MS = 15_000;
/**
 * Growth of the process's resident memory a parse may cause: a compressed object stream that
 * inflates to gigabytes is stopped here (the parser's own buffers are outside the heap limit).
 */
const MAX_PARSE_GROWTH_BYTES = 64 * 1024 * 1024;
/** The parser's JavaScript heap. */
const WORKER_HEAP_MB = 64;
/** How often memory is looked at during a parse. */
const WATCH_MS = 20;
/** An idle parser thread is ended after this long (it holds about 30 MB). */
const IDLE_MS = 30_000;

interface Parser {
  worker: Worker;
  ready: Promise<void>;
}

let parser: Parser | undefined;
let idle: NodeJS.Timeout | undefined;

function startParser(): Parser {
  const file = new URL(`./pdf-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const worker = new Worker(file, {
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16 },
  });
  // A parser thread never keeps the process alive; its failures (out of memory) end it, and the
  // count waiting on it learns so from 'exit'.
  worker.unref();
  worker.on('error', () => {});
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => reject(new Error('the PDF parser ended before it started')));
  });
  ready.catch(() => {});
  worker.once('exit', () => {
    if (parser?.worker === worker) parser = undefined;
  });
  return { worker, ready };
}

/** Ends the parser thread (tests, shutdown); the next PDF starts another. */
export async function stopPdfParser(): Promise<void> {
  clearTimeout(idle);
  const p = parser;
  parser = undefined;
  await p?.worker.terminate();
}

/** The pages of a PDF, or undefined when they cannot be counted within the limits. */
export function pdfPages(b: Buffer): Promise<number | undefined> {
  return oneDecodeAtATime(() => count(b));
}

async function count(b: Buffer): Promise<number | undefined> {
  clearTimeout(idle);
  parser ??= startParser();
  const { worker, ready } = parser;
  // A copy, handed over to the parser thread (the original may share Node's buffer pool).
  const bytes = new Uint8Array(b);
  const pages = await new Promise<number | undefined>((resolve) => {
    let base = 0;
    const finish = (n: number | undefined) => {
      clearTimeout(timer);
      clearInterval(watch);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(n);
    };
    const stop = () => {
      if (parser?.worker === worker) parser = undefined;
      void worker.terminate();
      finish(undefined);
    };
    const onMessage = (m: { pages?: unknown }) =>
      finish(typeof m.pages === 'number' && Number.isSafeInteger(m.pages) ? m.pages : undefined);
    const onExit = () => finish(undefined);
    const timer = setTimeout(stop, COUNT_TIMEOUT_MS);
    let watch: NodeJS.Timeout | undefined;
    worker.once('exit', onExit);
    ready.then(
      () => {
        base = process.memoryUsage.rss();
        watch = setInterval(() => {
          if (process.memoryUsage.rss() - base > MAX_PARSE_GROWTH_BYTES) stop();
        }, WATCH_MS);
        worker.on('message', onMessage);
        worker.postMessage(bytes, [bytes.buffer]);
      },
      () => finish(undefined),
    );
  });
  if (parser) idle = setTimeout(() => void stopPdfParser(), IDLE_MS).unref();
  return pages;
}

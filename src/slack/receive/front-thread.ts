import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AckFn } from '@slack/bolt';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../platform/logger.js';
import type { EngineLink, EngineStatus, Forwarded, Front, FrontConfig, Listening } from './front.js';
import type { WebRequest, WebResponse } from './install-routes.js';
import type { SocketEvent } from './socket-connections.js';

/**
 * The front (src/slack/receive/front.ts) in a worker thread of its own: Slack's requests are received,
 * verified and acknowledged there, on an event loop that does nothing else, while answers are
 * written on the main thread. The threads speak in plain messages; a request crosses as the
 * Forwarded data the front made of it.
 */

/** Main thread → front. */
export type ToFront =
  | { t: 'start' }
  | { t: 'stop' }
  | { t: 'status'; status: EngineStatus }
  | { t: 'ack'; id: number; response: unknown }
  | { t: 'done'; id: number; error?: string }
  | { t: 'metrics'; id: number; contentType?: string; text?: string; error?: string }
  | { t: 'web'; id: number; response?: WebResponse; error?: string };

/** Front → main thread. */
export type FromFront =
  /** `threadId`: the worker's id in the OS, where it can be read (Linux). */
  | { t: 'started'; listening: Listening; threadId?: number }
  | { t: 'failed'; message: string }
  /**
   * Answered with `done` once the engine is through with it; `acks` when the engine's listener
   * acknowledges it (commands, interactions), else the front does (events).
   */
  | { t: 'request'; request: Forwarded; id: number; acks: boolean }
  | { t: 'acked'; type: string; seconds: number }
  | { t: 'unaccepted' }
  | { t: 'socket'; event: SocketEvent }
  | { t: 'metrics'; id: number }
  /** An install page's request (multi-workspace mode), answered with `web`. */
  | { t: 'web'; id: number; request: WebRequest }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

/** The front in its thread: also tells which OS thread that is, for scheduling priorities. */
export interface ThreadedFront extends Front {
  /** The worker's thread id in the OS once started, where it can be read (Linux). */
  threadId(): number | undefined;
}

/** What the worker is given at start. */
export interface FrontWorkerData {
  config: FrontConfig;
  logLevel: string;
  proxy: Config['proxy'];
  /** /healthz fails after this long without word from the main thread (default 30 s). */
  unresponsiveAfterMs?: number;
  /** /metrics answers 503 after waiting this long for the main thread (default 3 s). */
  metricsWaitMs?: number;
}

/** /metrics waits this long for the main thread's figures, then answers 503. */
export const METRICS_WAIT_MS = 3000;
/** The main thread tells the front how the engine is this often; silence means it is stuck. */
const STATUS_EVERY_MS = 1000;
/** /healthz fails when the main thread has not been heard from for this long. */
export const UNRESPONSIVE_AFTER_MS = 30_000;

/**
 * Boots the front's worker at once (it listens on `start()`) and serves it from this thread's
 * engine (`link`). `onFailure` is told when the worker dies: without it the bot hears nothing
 * more from Slack.
 */
export function startFrontThread(
  workerData: FrontWorkerData,
  deps: { link: EngineLink; log: Logger; onFailure: (err: Error) => void },
): ThreadedFront {
  const { link, log } = deps;
  // Under tsx (tests) the source is .ts, built it is .js; the worker inherits execArgv (--import tsx).
  const file = new URL(`./front-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  let worker: Worker | undefined;
  let stopping = false;
  let threadId: number | undefined;
  const send = (message: ToFront) => worker?.postMessage(message);
  // Sent every STATUS_EVERY_MS, changed or not: it doubles as the main thread's heartbeat.
  const report = () => {
    const { ready, redisOk } = link.health();
    send({ t: 'status', status: { ready, redisOk } });
  };
  let heartbeat: NodeJS.Timeout | undefined;

  const onMessage = (m: FromFront) => {
    switch (m.t) {
      case 'request': {
        const { id } = m;
        const ack: AckFn<unknown> | undefined = m.acks
          ? async (response) => send({ t: 'ack', id, response })
          : undefined;
        link.deliver(m.request, ack).then(
          () => send({ t: 'done', id }),
          (err: Error) => {
            log.error({ err }, 'slack request failed');
            send({ t: 'done', id, error: err.message });
          },
        );
        return;
      }
      case 'acked':
        return link.acked(m.type, m.seconds);
      case 'unaccepted':
        return link.unaccepted();
      case 'socket':
        return link.socket(m.event);
      case 'metrics':
        link.metrics().then(
          ({ contentType, text }) => send({ t: 'metrics', id: m.id, contentType, text }),
          (err: Error) => send({ t: 'metrics', id: m.id, error: err.message }),
        );
        return;
      case 'web': {
        const web = link.web?.bind(link);
        if (!web) return send({ t: 'web', id: m.id, error: 'no install routes' });
        web(m.request).then(
          (response) => send({ t: 'web', id: m.id, response }),
          (err: Error) => send({ t: 'web', id: m.id, error: err.message }),
        );
        return;
      }
      case 'log':
        // Bolt's and the Slack SDK's lines, marked as a library's so their payloads are cut (LOG_MESSAGE_BODIES).
        log[m.level]({ thread: 'front', lib: 'bolt' }, m.message);
        return;
      default:
        return;
    }
  };

  // The worker boots (its own V8 instance and modules, on another core where there is one) from
  // now on, beside the main thread's own start-up work; it listens only when told to start.
  // Unreferenced until then, so a front that is never started keeps no process alive.
  const w = new Worker(file, { workerData });
  worker = w;
  w.unref();
  let started = false;
  let endedEarly: number | undefined;
  w.once('exit', (code) => {
    if (!started) endedEarly = code;
  });
  w.on('message', onMessage);
  w.on('error', (err) => {
    log.fatal({ err }, 'front thread crashed');
  });

  return {
    threadId: () => threadId,
    async start() {
      if (endedEarly !== undefined)
        throw new Error(`the front thread ended (${endedEarly}) before it listened`);
      started = true;
      w.ref();
      const listening = new Promise<Listening>((resolve, reject) => {
        w.on('message', (m: FromFront) => {
          if (m.t === 'started') {
            threadId = m.threadId;
            resolve(m.listening);
          }
          if (m.t === 'failed') reject(new Error(m.message));
        });
        w.once('exit', (code) => reject(new Error(`the front thread ended (${code}) before it listened`)));
      });
      w.on('exit', (code) => {
        clearInterval(heartbeat);
        if (!stopping) deps.onFailure(new Error(`the front thread ended (${code})`));
      });
      report();
      heartbeat = setInterval(report, STATUS_EVERY_MS);
      heartbeat.unref();
      send({ t: 'start' });
      return listening;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(heartbeat);
      if (!started) {
        await w.terminate();
        return;
      }
      const ended = once(w, 'exit');
      send({ t: 'stop' });
      await ended;
    },
  };
}

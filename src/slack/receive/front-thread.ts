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

/** Whether the engine keeps questions in a durable store (see FrontConfig.durableQuestions). */
export const keepsQuestions = (config: Pick<Config, 'redisUrl' | 'stateDir'>): boolean =>
  Boolean(config.redisUrl || config.stateDir);

/** What the front's worker is given: the Slack settings it needs, and no more of the config. */
export function frontWorkerData(config: Config): FrontWorkerData {
  return {
    config: {
      port: config.port,
      opsPort: config.opsPort,
      slack: {
        signingSecret: config.slack.signingSecret,
        appToken: config.slack.appToken,
        apiUrl: config.slack.apiUrl,
      },
      durableQuestions: keepsQuestions(config),
      installs: Boolean(config.slack.clientId),
    },
    logLevel: config.logLevel,
    proxy: config.proxy,
  };
}

/** The front's worker, booting: what it says before the engine is attached is held for it. */
export interface BootingFront {
  readonly worker: Worker;
  /** Its messages so far, and its errors. */
  readonly held: Array<{ message: FromFront } | { error: Error }>;
  /** The exit code if it ended before it was started. */
  endedEarly?: number;
  /** Set once startFrontThread has attached the engine. */
  attached?: boolean;
}

/**
 * Boots the front's worker now (its own V8 instance and modules, on another core where there is
 * one), so it boots while this thread loads the rest of the bot (src/main.ts calls it before
 * importing the bot): on 2 cores its start-up no longer adds to the bot's. It listens only once
 * startFrontThread's `start()` says so. Unreferenced until then, so a front that is never started
 * keeps no process alive.
 */
export function bootFrontThread(workerData: FrontWorkerData): BootingFront {
  // Under tsx (tests) the source is .ts, built it is .js; the worker inherits execArgv (--import tsx).
  const file = new URL(`./front-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const worker = new Worker(file, { workerData });
  worker.unref();
  const booting: BootingFront = { worker, held: [] };
  const hold = (message: FromFront) => {
    if (!booting.attached) booting.held.push({ message });
  };
  const holdError = (error: Error) => {
    if (!booting.attached) booting.held.push({ error });
  };
  worker.on('message', hold).on('error', holdError);
  worker.once('exit', (code) => {
    if (!booting.attached) booting.endedEarly = code;
  });
  return booting;
}

/**
 * Serves the front's worker (booted now, or already by bootFrontThread) from this thread's engine
 * (`link`). `onFailure` is told when the worker dies: without it the bot hears nothing more from
 * Slack.
 */
export function startFrontThread(
  from: FrontWorkerData | BootingFront,
  deps: { link: EngineLink; log: Logger; onFailure: (err: Error) => void },
): ThreadedFront {
  const { link, log } = deps;
  const booting = 'worker' in from ? from : bootFrontThread(from);
  const w = booting.worker;
  let stopping = false;
  let threadId: number | undefined;
  const send = (message: ToFront) => w.postMessage(message);
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

  const onError = (err: Error) => log.fatal({ err }, 'front thread crashed');
  // What it said while booting first, then what it says from now on.
  booting.attached = true;
  const held = booting.held.splice(0);
  w.on('message', onMessage).on('error', onError);
  for (const h of held) {
    if ('message' in h) onMessage(h.message);
    else onError(h.error);
  }
  let started = false;
  let endedEarly = booting.endedEarly;
  w.once('exit', (code) => {
    if (!started) endedEarly = code;
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

import { parentPort, workerData } from 'node:worker_threads';
import type { AckFn, Logger as BoltLogger } from '@slack/bolt';
import { createEgress } from '../../platform/egress.js';
import { osThreadId } from '../../platform/priority.js';
import { createFront, type EngineLink, type EngineStatus } from './front.js';
import {
  type FromFront,
  type FrontWorkerData,
  METRICS_WAIT_MS,
  type ToFront,
  UNRESPONSIVE_AFTER_MS,
} from './front-thread.js';

/**
 * The front's worker thread (started by startFrontThread in front-thread.ts): receives and
 * acknowledges Slack's requests and hands them to the main thread, which runs the engine.
 */
if (!parentPort) throw new Error('front-worker runs in a worker thread started by startFrontThread');
const port = parentPort;
const data = workerData as FrontWorkerData;
const post = (message: FromFront) => port.postMessage(message);

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** LOG_LEVEL as the lowest of Bolt's four levels sent on: trace counts as debug, fatal as error. */
const MIN_LEVEL: Record<string, number> = {
  trace: 0,
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
  fatal: 3,
  silent: 4,
};
const minLevel = MIN_LEVEL[data.logLevel] ?? 1;
/** Bolt's logger interface, writing through the main thread's logger (one log stream, scrubbed). */
const logger: BoltLogger = Object.assign(
  Object.fromEntries(
    LEVELS.map((level, i) => [
      level,
      (...parts: unknown[]) => {
        if (i >= minLevel) post({ t: 'log', level, message: parts.map(String).join(' ') });
      },
    ]),
  ) as Pick<BoltLogger, (typeof LEVELS)[number]>,
  {
    setLevel: () => {},
    getLevel: () => data.logLevel as ReturnType<BoltLogger['getLevel']>,
    setName: () => {},
  },
);

let status: EngineStatus = { ready: false, redisOk: true };
let heardAt = Date.now();
let seq = 0;
const pending = new Map<number, { ack?: AckFn<unknown>; settle: (error?: string) => void }>();
const metricsWaiting = new Map<number, (m: Extract<ToFront, { t: 'metrics' }>) => void>();
const webWaiting = new Map<number, (m: Extract<ToFront, { t: 'web' }>) => void>();
/** An install page waits this long for the main thread, then answers 503. */
const WEB_WAIT_MS = 15_000;

const link: EngineLink = {
  deliver(request, ack) {
    const id = ++seq;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { ack, settle: (error) => (error ? reject(new Error(error)) : resolve()) });
      post({ t: 'request', request, id, acks: ack !== undefined });
    });
  },
  health: () => ({
    ...status,
    alive: Date.now() - heardAt < (data.unresponsiveAfterMs ?? UNRESPONSIVE_AFTER_MS),
  }),
  metrics() {
    const id = ++seq;
    return new Promise((resolve, reject) => {
      // A main thread that does not answer in time: 503 now, and its late answer is dropped.
      const timer = setTimeout(() => {
        metricsWaiting.delete(id);
        reject(new Error('the main thread did not answer in time'));
      }, data.metricsWaitMs ?? METRICS_WAIT_MS);
      metricsWaiting.set(id, (m) => {
        clearTimeout(timer);
        if (m.error || m.text === undefined) reject(new Error(m.error ?? 'no metrics'));
        else resolve({ contentType: m.contentType ?? 'text/plain', text: m.text });
      });
      post({ t: 'metrics', id });
    });
  },
  web(request) {
    const id = ++seq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        webWaiting.delete(id);
        resolve({ status: 503, headers: {}, body: '' });
      }, WEB_WAIT_MS);
      webWaiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m.response ?? { status: 500, headers: {}, body: '' });
      });
      post({ t: 'web', id, request });
    });
  },
  acked: (type, seconds) => post({ t: 'acked', type, seconds }),
  unaccepted: () => post({ t: 'unaccepted' }),
  socket: (event) => post({ t: 'socket', event }),
};

const egress = createEgress(data.proxy);
const front = createFront(data.config, { link, logger, dispatcher: egress.dispatcher });

port.on('message', (m: ToFront) => {
  switch (m.t) {
    case 'status':
      status = m.status;
      heardAt = Date.now();
      return;
    case 'ack':
      void pending
        .get(m.id)
        ?.ack?.(m.response)
        .catch((err: Error) => logger.warn(`acknowledgement failed: ${err.message}`));
      return;
    case 'done':
      pending.get(m.id)?.settle(m.error);
      pending.delete(m.id);
      return;
    case 'metrics':
      metricsWaiting.get(m.id)?.(m);
      metricsWaiting.delete(m.id);
      return;
    case 'web':
      webWaiting.get(m.id)?.(m);
      webWaiting.delete(m.id);
      return;
    case 'start':
      front.start().then(
        (listening) => {
          const threadId = osThreadId();
          post({ t: 'started', listening, ...(threadId === undefined ? {} : { threadId }) });
        },
        (err: Error) => post({ t: 'failed', message: err.message }),
      );
      return;
    case 'stop':
      void front
        .stop()
        .catch((err: Error) => logger.warn(`error while stopping the receiver: ${err.message}`))
        .then(() => egress.close())
        .finally(() => process.exit(0));
      return;
  }
});

import type { Config } from '../../config/config.js';
import { createEgress } from '../../platform/egress.js';
import type { Logger } from '../../platform/logger.js';
import { boltLogger } from '../logger.js';
import { createFront, type EngineLink, type Listening } from './front.js';
import { type BootingFront, frontWorkerData, keepsQuestions, startFrontThread } from './front-thread.js';

export interface Receiving {
  /** Listens (HTTP or Socket Mode); resolves with the HTTP port(s). */
  start(): Promise<Listening>;
  stop(): Promise<void>;
  /** The receiving thread's id in the OS (Linux), when it has a thread of its own. */
  threadId(): number | undefined;
}

/**
 * The front: receives Slack's requests, verifies and acks them, serves the health routes and hands
 * each request on through `link`. With `thread` it runs in a worker thread of its own (src/main.ts),
 * so acks stay fast while the engine is busy; tests and the sandbox keep it in one thread.
 */
export function createReceiving(
  config: Config,
  opts: {
    link: EngineLink;
    log: Logger;
    /** True: boot the thread now; or the thread src/main.ts booted early (bootFrontThread). */
    thread?: boolean | BootingFront;
    onFailure?: (err: Error) => void;
  },
): Receiving {
  const { link, log } = opts;
  if (opts.thread) {
    return startFrontThread(opts.thread === true ? frontWorkerData(config) : opts.thread, {
      link,
      log,
      onFailure: opts.onFailure ?? ((err) => log.fatal({ err }, 'front failed')),
    });
  }
  // Socket Mode's WebSocket goes through the proxy too.
  const egress = createEgress(config.proxy);
  const front = createFront(
    { ...config, durableQuestions: keepsQuestions(config), installs: Boolean(config.slack.clientId) },
    { link, logger: boltLogger(log), dispatcher: egress.dispatcher },
  );
  return {
    start: () => front.start(),
    async stop() {
      await front.stop();
      await egress.close().catch(() => {});
    },
    threadId: () => undefined,
  };
}

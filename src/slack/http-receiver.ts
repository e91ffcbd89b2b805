import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger as BoltLogger, type CustomRoute, HTTPReceiver } from '@slack/bolt';

/** Largest request body accepted: Slack's payloads are far smaller. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack signs with the current time; Bolt rejects old timestamps but accepts any future one. */
const MAX_CLOCK_SKEW_S = 5 * 60;

/**
 * Bolt's HTTP receiver behind a thin guard: refuses bodies over 1 MB (413) and signatures dated
 * in the future (401), which Bolt would accept. Everything else (signature checks, retries
 * headers, custom routes) is Bolt's.
 */
export class GuardedHttpReceiver {
  readonly receiver: HTTPReceiver;
  private server: Server | undefined;

  constructor(opts: { signingSecret: string; routes: CustomRoute[]; logger: BoltLogger }) {
    this.receiver = new HTTPReceiver({
      signingSecret: opts.signingSecret,
      customRoutes: opts.routes,
      logger: opts.logger,
      processBeforeResponse: false,
      bodyLimit: BODY_LIMIT_BYTES,
    });
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(port: number): Promise<number> {
    const server = createServer((req, res) => {
      if (this.refuse(req, res)) return;
      this.receiver.requestListener(req, res);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => resolve((server.address() as AddressInfo).port));
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private refuse(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > BODY_LIMIT_BYTES) {
      res.writeHead(413).end();
      req.resume();
      return true;
    }
    const stamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(stamp) && stamp - Date.now() / 1000 > MAX_CLOCK_SKEW_S) {
      res.writeHead(401).end();
      req.resume();
      return true;
    }
    return false;
  }
}

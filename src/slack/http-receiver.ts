import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { type Logger as BoltLogger, type CustomRoute, HTTPReceiver } from '@slack/bolt';

/** Largest request body accepted: Slack's payloads are far smaller. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack signs with the current time; Bolt rejects old timestamps but accepts any future one. */
const MAX_CLOCK_SKEW_S = 5 * 60;
/** Bolt's one endpoint for events, commands and interactions (its default). */
const EVENTS_PATH = '/slack/events';
/** Last resort: a request Bolt never answers (it threw while parsing) gets a 500 after this. */
const RESPONSE_DEADLINE_MS = 10_000;

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether Bolt can read the body: it parses form bodies' `payload` and anything else as JSON, and
 * a body that parses to something other than an object (null, a string) makes it throw without
 * ever answering. Mirrors Bolt's own parsing (HTTPModuleFunctions.parseHTTPRequestBody).
 */
function readableByBolt(raw: Buffer, contentType: string | undefined): boolean {
  try {
    if (contentType === 'application/x-www-form-urlencoded') {
      const { payload } = parseQuery(raw.toString());
      return typeof payload !== 'string' || isObject(JSON.parse(payload));
    }
    return isObject(JSON.parse(raw.toString()));
  } catch {
    return false;
  }
}

/**
 * Bolt's HTTP receiver behind a thin guard: refuses bodies over 1 MB (413, with or without a
 * content-length), signatures dated in the future (401), which Bolt would accept, POSTs to other
 * paths (404) and bodies Bolt cannot read (400); a request left unanswered gets a 500. Everything else (signature checks, retries
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
      const deadline = setTimeout(() => {
        if (!res.headersSent) res.writeHead(500).end();
      }, RESPONSE_DEADLINE_MS);
      res.on('close', () => clearTimeout(deadline));
      if (req.method !== 'POST') return this.receiver.requestListener(req, res);
      void this.buffer(req, res).then((ok) => ok && this.receiver.requestListener(req, res));
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

  /**
   * Reads the body within the limit (also when no content-length was sent) and refuses, with 400,
   * a body Bolt could not read. Bolt then uses the buffered body (`rawBody`) as it is.
   */
  private async buffer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      // Read to the end even past the limit (keeping nothing): answering mid-upload would break
      // the connection the client may reuse. Node's requestTimeout bounds an endless upload.
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size <= BODY_LIMIT_BYTES) chunks.push(chunk);
      }
    } catch {
      return false; // the client went away
    }
    if (size > BODY_LIMIT_BYTES) {
      res.writeHead(413).end();
      return false;
    }
    const raw = Buffer.concat(chunks);
    if (!readableByBolt(raw, req.headers['content-type'])) {
      res.writeHead(400).end();
      return false;
    }
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    return true;
  }

  private refuse(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    // Bolt throws (uncaught, outside any promise) on a POST to a path it does not serve.
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== EVENTS_PATH) {
      res.writeHead(404).end();
      req.resume();
      return true;
    }
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

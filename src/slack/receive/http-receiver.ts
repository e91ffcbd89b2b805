import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Logger as BoltLogger, ReceiverEvent } from '@slack/bolt';
// Bolt's own request handling, imported alone: the front (possibly in a thread of its own) then
// loads neither Bolt's App nor the Web API client.
import {
  buildContentResponse,
  buildNoBodyResponse,
  buildSSLCheckResponse,
  buildUrlVerificationResponse,
  defaultProcessEventErrorHandler,
  extractRetryNumFromHTTPRequest,
  extractRetryReasonFromHTTPRequest,
  parseAndVerifyHTTPRequest,
  parseHTTPRequestBody,
} from '@slack/bolt/dist/receivers/HTTPModuleFunctions.js';
import { HTTPResponseAck } from '@slack/bolt/dist/receivers/HTTPResponseAck.js';

/**
 * node:http as CommonJS. Imported as an ES module, Node builds the module's namespace from all of
 * its exports, and reading them runs node:http's lazy getters, which load Node's bundled undici
 * (fetch): measured in the receiving thread, which never fetches, that was about 55 ms of CPU at
 * start and 7 MB.
 */
const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

/**
 * Largest request body accepted. Slack documents no maximum for what it sends, but bounds what
 * fills it: a message's text is cut at 40,000 characters, a message has at most 50 blocks (a
 * view 100) of at most 3,000 characters each (12,000 for a markdown block). Even escaped as JSON
 * (up to 6 bytes a character) and form-encoded for interactions, an event, command or interaction
 * stays a few hundred KB; 1 MB leaves room for that and refuses what no Slack request needs.
 * (Bolt's own receivers default to 4 MB.)
 * @see https://docs.slack.dev/reference/methods/chat.postMessage#truncating
 * @see https://docs.slack.dev/reference/block-kit/blocks
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Slack sends a body at once: one still arriving after this is cut (408) rather than waited for. */
export const BODY_TIMEOUT_MS = 10_000;
/** Headers must arrive within this too (Node's default is a minute); checked every second. */
const HEADERS_TIMEOUT_MS = 10_000;
/** After a refusal the rest of a body is read and dropped for this long, then the connection closed. */
const DRAIN_MS = 2_000;
/** Slack signs with the current time; Bolt rejects old timestamps but accepts any future one. */
const MAX_CLOCK_SKEW_S = 5 * 60;
/** Slack's one endpoint for events, commands and interactions (Bolt's default path). */
const EVENTS_PATH = '/slack/events';
/** Last resort: a request Bolt never answers (it threw while parsing) gets a 500 after this. */
const RESPONSE_DEADLINE_MS = 10_000;

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A GET route served beside Slack's endpoint (health, metrics). */
export interface Route {
  path: string;
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
}

/**
 * Slack's HTTP endpoint, built from Bolt's request functions (signature check, body parsing,
 * ssl_check, url_verification, ack with its 3 s timer) behind a thin guard: refuses bodies over
 * 1 MB (413 as soon as the content-length or the bytes read pass it), bodies still arriving after
 * 10 s (408), signatures dated in the future (401), which
 * Bolt would accept, POSTs to other paths (404) and signed bodies that are not a JSON or form object (400); a request left
 * unanswered gets a 500. Verified requests go to `handle` as Bolt's receivers hand them to an App.
 */
export class SlackHttpServer {
  private server: Server | undefined;

  constructor(
    private readonly opts: {
      /** Unset: no Slack endpoint (Socket Mode), only the routes. */
      signingSecret?: string;
      routes: Route[];
      logger: BoltLogger;
      handle: (event: ReceiverEvent) => Promise<void>;
    },
  ) {}

  /** Starts listening; resolves with the port (useful with port 0). */
  listen(port: number): Promise<number> {
    const options = {
      headersTimeout: HEADERS_TIMEOUT_MS,
      // A backstop for what the body timer does not cover; Node checks both every second.
      requestTimeout: BODY_TIMEOUT_MS + DRAIN_MS + 5_000,
      connectionsCheckingInterval: 1_000,
    };
    const server = createServer(options, (req, res) => {
      if (req.method !== 'POST') return this.route(req, res);
      if (this.refuse(req, res)) return;
      void this.buffer(req, res)
        .then((ok) => {
          if (!ok) return;
          const deadline = setTimeout(() => {
            if (!res.headersSent) res.writeHead(500).end();
          }, RESPONSE_DEADLINE_MS);
          res.on('close', () => clearTimeout(deadline));
          return this.receive(req, res);
        })
        .catch((err) => {
          this.opts.logger.error(`request failed: ${(err as Error).message}`);
          if (!res.headersSent) res.writeHead(500).end();
        });
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

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = req.method === 'GET' ? this.opts.routes.find((r) => r.path === path) : undefined;
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(route.handler(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  }

  /** What Bolt's HTTPReceiver does with a verified request, handing it to `handle` instead of an App. */
  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { logger, signingSecret = '' } = this.opts;
    let buffered: Awaited<ReturnType<typeof parseAndVerifyHTTPRequest>>;
    try {
      buffered = await parseAndVerifyHTTPRequest({ enabled: true, signingSecret }, req);
    } catch (err) {
      logger.warn(`Failed to verify the request: ${(err as Error).message}`);
      buildNoBodyResponse(res, 401);
      return;
    }
    // Bolt's parsing: form bodies' `payload`, anything else as JSON. Only an object is a request.
    let body: Record<string, unknown>;
    try {
      body = parseHTTPRequestBody(buffered);
      if (!isObject(body)) throw new Error('not an object');
    } catch {
      buildNoBodyResponse(res, 400);
      return;
    }
    if (body.ssl_check === '1') return buildSSLCheckResponse(res);
    if (body.type === 'url_verification') return buildUrlVerificationResponse(res, body);
    const ack = new HTTPResponseAck({
      logger,
      processBeforeResponse: false,
      httpRequest: buffered,
      httpRequestBody: body,
      httpResponse: res,
    });
    const event: ReceiverEvent = {
      body,
      ack: ack.bind(),
      retryNum: extractRetryNumFromHTTPRequest(req),
      retryReason: extractRetryReasonFromHTTPRequest(req),
      customProperties: {},
    };
    try {
      await this.opts.handle(event);
      if (ack.storedResponse !== undefined) buildContentResponse(res, ack.storedResponse);
    } catch (error) {
      const answered = await defaultProcessEventErrorHandler({
        error: error as Error,
        logger,
        request: req,
        response: res,
        storedResponse: ack.storedResponse,
      });
      if (answered) ack.ack();
    }
  }

  /**
   * Reads the body within BODY_LIMIT_BYTES and BODY_TIMEOUT_MS (also when no content-length was
   * sent): past the size the answer is 413 at once, past the time 408, without waiting for the
   * rest. Bolt's functions then use the buffered body (`rawBody`) as it is.
   */
  private buffer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (ok: boolean, status?: number) => {
        clearTimeout(timer);
        req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
        if (status) this.cut(req, res, status);
        resolve(ok);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > BODY_LIMIT_BYTES) finish(false, 413);
        else chunks.push(chunk);
      };
      const onEnd = () => {
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = Buffer.concat(chunks);
        finish(true);
      };
      // The client went away: nobody to answer.
      const onGone = () => finish(false);
      const timer = setTimeout(() => finish(false, 408), BODY_TIMEOUT_MS);
      req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
    });
  }

  /**
   * Answers a request refused before its body was read, then reads and drops the rest for at most
   * DRAIN_MS (a client that sends its whole body first still reads the answer) and closes a
   * connection still sending after that.
   */
  private cut(req: IncomingMessage, res: ServerResponse, status: number): void {
    if (!res.headersSent) res.writeHead(status).end();
    if (req.complete) return;
    const close = setTimeout(() => req.socket.destroy(), DRAIN_MS);
    close.unref();
    req.once('end', () => clearTimeout(close));
    req.socket.once('close', () => clearTimeout(close));
    req.resume();
  }

  private refuse(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.opts.signingSecret || new URL(req.url ?? '/', 'http://localhost').pathname !== EVENTS_PATH) {
      this.cut(req, res, 404);
      return true;
    }
    // Refused by its content-length before a byte of it is read.
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > BODY_LIMIT_BYTES) {
      this.cut(req, res, 413);
      return true;
    }
    const stamp = Number(req.headers['x-slack-request-timestamp']);
    if (Number.isFinite(stamp) && stamp - Date.now() / 1000 > MAX_CLOCK_SKEW_S) {
      this.cut(req, res, 401);
      return true;
    }
    return false;
  }
}

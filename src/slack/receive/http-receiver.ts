import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/** Largest request body accepted: Slack's payloads are far smaller. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
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
 * 1 MB (413, with or without a content-length), signatures dated in the future (401), which
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
    const server = createServer((req, res) => {
      if (req.method !== 'POST') return this.route(req, res);
      if (this.refuse(req, res)) return;
      const deadline = setTimeout(() => {
        if (!res.headersSent) res.writeHead(500).end();
      }, RESPONSE_DEADLINE_MS);
      res.on('close', () => clearTimeout(deadline));
      void this.buffer(req, res)
        .then((ok) => (ok ? this.receive(req, res) : undefined))
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
   * Reads the body within the limit (also when no content-length was sent); Bolt's functions then
   * use the buffered body (`rawBody`) as it is.
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
    // Bolt's functions use the buffered body (`rawBody`) as it is.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    return true;
  }

  private refuse(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.opts.signingSecret || new URL(req.url ?? '/', 'http://localhost').pathname !== EVENTS_PATH) {
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

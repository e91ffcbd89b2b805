import type { AckFn, Logger as BoltLogger, ReceiverEvent } from '@slack/bolt';
import { SocketModeResponseAck } from '@slack/bolt/dist/receivers/SocketModeResponseAck.js';
import type { Dispatcher } from 'undici';
import type { Config } from '../../config/config.js';
import { type Route, SlackHttpServer } from './http-receiver.js';
import {
  INSTALL_PATH,
  installRoute,
  REDIRECT_PATH,
  type WebRequest,
  type WebResponse,
} from './install-routes.js';
import type { SocketConnections, SocketEvent } from './socket-connections.js';

/** A Slack request as it crosses to the engine: plain data (it may cross a thread). */
export interface Forwarded {
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
}

/** What /readyz reports of the engine. */
export interface EngineStatus {
  /** Slack accepted the token and the engine takes work. */
  ready: boolean;
  /** Redis reachable (true when none is configured). */
  redisOk: boolean;
}

/** How the front reaches the engine: direct calls in one thread, or messages between threads. */
export interface EngineLink {
  /**
   * Hands a request to the engine; resolves once the engine's listeners are done with it (for a
   * question: once it is held). `ack` is absent for events, which the front acknowledges itself;
   * otherwise the engine's listener answers through it (commands, interactions).
   */
  deliver(request: Forwarded, ack: AckFn<unknown> | undefined): Promise<void>;
  /** The engine's state; `alive` is false when it stopped answering at all. */
  health(): EngineStatus & { alive: boolean };
  /** Everything /metrics shows, in Prometheus' text format. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** One request acknowledged: its kind (event, command, interaction) and how long it took. */
  acked(type: string, seconds: number): void;
  /** An event that may ask a question was acknowledged before the engine had accepted it. */
  unaccepted(): void;
  /** Something happened to a Socket Mode connection. */
  socket(event: SocketEvent): void;
  /** The install routes (multi-workspace mode): /slack/install and /slack/oauth_redirect. */
  web?(request: WebRequest): Promise<WebResponse>;
}

/** Slack's answers to apps.connections.open that mean the app-level token itself is wrong. */
const REJECTED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_allowed_token_type',
]);

/** Where the front listens: PORT, and OPS_PORT when health and metrics have a port of their own. */
export interface Listening {
  port: number;
  opsPort?: number;
}

export interface Front {
  /** Listens, and connects to Slack in Socket Mode. Resolves with the HTTP port(s). */
  start(): Promise<Listening>;
  /** Stops taking requests; /readyz says "stopping" from now on. */
  stop(): Promise<void>;
}

/** What the `ready` log line says, once the front listens. */
export function readyLine(config: Config, listening: Partial<Listening>, botName: string) {
  return {
    mode: config.slack.appToken ? 'socket' : 'http',
    port: listening.port,
    ...(listening.opsPort === undefined ? {} : { opsPort: listening.opsPort }),
    bot: botName,
    model: config.claude.model,
  };
}

/**
 * How long an event that may ask a question waits for the engine to accept it before it is
 * acknowledged all the same: Slack wants the ack within 3 s of sending, and the way there counts.
 * @see https://docs.slack.dev/apis/events-api/#responding
 */
export const ACCEPT_WAIT_MS = 2000;

/** Events whose listener may take a question (src/features/answers/listener.ts). */
const ASKING_EVENTS = new Set(['app_mention', 'message']);

/** Whether an event callback may carry a question, by its event's type. */
function asks(body: unknown): boolean {
  const type = (body as { event?: { type?: unknown } })?.event?.type;
  return typeof type === 'string' && ASKING_EVENTS.has(type);
}

/** `work`'s outcome, or false when it takes longer than `ms`. */
async function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a Slack request is, for the ack histogram's label. */
function requestType(body: unknown): string {
  const b = body as { type?: string; command?: string };
  if (b?.command) return 'command';
  if (b?.type === 'event_callback') return 'event';
  return b?.type ? 'interaction' : 'other';
}

/** The Slack settings the front needs; the rest of the config stays with the engine. */
export type FrontConfig = Pick<Config, 'port' | 'opsPort'> & {
  slack: Pick<Config['slack'], 'signingSecret' | 'appToken' | 'apiUrl'>;
  /** Questions are kept in a durable store (REDIS_URL or STATE_DIR): a possible one is acked once held. */
  durableQuestions: boolean;
  /** Multi-workspace mode (SLACK_CLIENT_ID): serve /slack/install and /slack/oauth_redirect. */
  installs?: boolean;
};

/**
 * The receiving side: takes Slack's requests (HTTP behind the guard, or Socket Mode), checks
 * signatures, hands them on and acknowledges events (a possible question once the engine holds
 * it, any other at once); serves /healthz, /readyz and
 * /metrics on PORT, or on OPS_PORT when set (PORT then serves only /slack/events). It does no answer work and loads neither Bolt's App nor the Web API client,
 * so it is small enough to run in a thread of its own (src/slack/receive/front-thread.ts), where acks
 * stay fast however busy the engine is.
 */
export function createFront(
  config: FrontConfig,
  deps: {
    link: EngineLink;
    logger: BoltLogger;
    /** The egress proxy (HTTPS_PROXY) for Socket Mode: its connection requests and the WebSocket. */
    dispatcher?: () => Promise<Dispatcher | undefined>;
  },
): Front {
  const { link, logger } = deps;
  let stopping = false;
  let socket: SocketConnections | undefined;

  const routes: Route[] = [
    {
      path: '/healthz',
      handler: (_req, res) => {
        const alive = link.health().alive;
        res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: alive ? 'ok' : 'engine_unresponsive' }));
      },
    },
    {
      path: '/readyz',
      handler: (_req, res) => {
        // Slack auth verified and listening (in Socket Mode: a connection open), Redis reachable
        // when configured, not shutting down.
        const { ready, redisOk, alive } = link.health();
        const socketOk = !config.slack.appToken || (socket?.connected() ?? false);
        const ok = alive && ready && !stopping && redisOk && socketOk;
        const status = ok
          ? 'ready'
          : stopping
            ? 'stopping'
            : !alive
              ? 'engine_unresponsive'
              : !ready
                ? 'starting'
                : !socketOk
                  ? 'socket_disconnected'
                  : 'redis_unreachable';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status }));
      },
    },
    {
      path: '/metrics',
      handler: async (_req, res) => {
        // A stalled engine cannot count: say so at once rather than keep the scraper waiting.
        if (!link.health().alive) return void res.writeHead(503).end();
        try {
          const { contentType, text } = await link.metrics();
          res.writeHead(200, { 'content-type': contentType }).end(text);
        } catch (err) {
          logger.warn(`metrics not available: ${(err as Error).message}`);
          res.writeHead(503).end();
        }
      },
    },
  ];

  /** Bolt's receivers hand requests to an App; this one times the ack and hands them on. */
  const handle = async (event: ReceiverEvent): Promise<void> => {
    const started = performance.now();
    const type = requestType(event.body);
    // An engine silent for long will not answer: leave the request unacknowledged (HTTP 500, or
    // no envelope ack) so Slack sends it again, perhaps to another replica, instead of losing it.
    if (!link.health().alive) throw new Error('the engine is not responding; Slack will retry this request');
    const ack: AckFn<unknown> = async (response) => {
      await event.ack(response);
      link.acked(type, (performance.now() - started) / 1000);
    };
    const request: Forwarded = {
      body: event.body,
      ...(event.retryNum !== undefined ? { retryNum: event.retryNum } : {}),
      ...(event.retryReason !== undefined ? { retryReason: event.retryReason } : {}),
    };
    if (type !== 'event') return link.deliver(request, ack);
    const handled = link.deliver(request, undefined).then(
      () => true,
      (err: Error) => {
        logger.error(`event not handed on: ${err.message}`);
        return true;
      },
    );
    // Other events are acknowledged at once (Bolt would anyway, before any listener runs); so is
    // every event without a durable store (REDIS_URL, STATE_DIR): holding a question in memory
    // first would keep nothing a crash could not lose, and would tie the ack to the busy main thread.
    if (!asks(event.body) || !config.durableQuestions) return ack();
    // A message may be a question: acknowledged once the engine holds it (its answer job in the
    // durable store), so a process killed after the ack loses nothing; but within Slack's 3 s
    // whatever happens, and a store that did not answer in time is logged and counted (Slack's
    // retry of the event, if it comes, is dropped as a duplicate).
    const waitMs = ACCEPT_WAIT_MS - (performance.now() - started);
    const accepted = await within(handled, waitMs);
    await ack();
    if (!accepted) {
      link.unaccepted();
      logger.warn(`event acknowledged before its question was accepted (over ${ACCEPT_WAIT_MS} ms)`);
    }
  };

  // The install pages are for people's browsers: on PORT, never on OPS_PORT.
  const web = link.web?.bind(link);
  const installRoutes: Route[] =
    config.installs && web ? [installRoute(INSTALL_PATH, web), installRoute(REDIRECT_PATH, web)] : [];
  const ops = config.opsPort === undefined ? undefined : new SlackHttpServer({ routes, logger, handle });
  const http = new SlackHttpServer({
    signingSecret: config.slack.appToken ? undefined : config.slack.signingSecret,
    routes: [...installRoutes, ...(ops ? [] : routes)],
    logger,
    handle,
  });
  async function connectSocket(appToken: string): Promise<void> {
    // Loaded only in Socket Mode.
    const { SocketConnections } = await import('./socket-connections.js');
    // With a dispatcher, apps.connections.open and the WebSocket both go through the proxy.
    const dispatcher = await deps.dispatcher?.();
    const connections = new SocketConnections(
      {
        appToken,
        logger,
        clientOptions: { slackApiUrl: config.slack.apiUrl },
        ...(dispatcher ? { dispatcher } : {}),
      },
      logger,
      (client) =>
        client.on(
          'slack_event',
          async (args: { ack: AckFn<unknown>; body: Record<string, unknown> } & Record<string, unknown>) => {
            const event: ReceiverEvent = {
              body: args.body,
              ack: new SocketModeResponseAck({ logger, socketModeClientAck: args.ack }).bind(),
              retryNum: args.retry_num as number | undefined,
              retryReason: args.retry_reason as string | undefined,
              customProperties: {},
            };
            await handle(event).catch((err) =>
              logger.error(`Socket Mode request failed: ${(err as Error).message}`),
            );
          },
        ),
      (event) => link.socket(event),
    );
    await connections.start().catch((err: Error & { data?: { error?: string } }) => {
      const code = err.data?.error;
      if (code && REJECTED_TOKEN.has(code))
        throw new Error(`SLACK_APP_TOKEN: Slack did not accept the app-level token (${code})`);
      throw new Error(`Socket Mode: could not connect to Slack (${code ?? err.message})`);
    });
    socket = connections;
  }

  return {
    async start() {
      const port = await listen(http, 'PORT', config.port);
      const opsPort = ops && (await listen(ops, 'OPS_PORT', config.opsPort ?? 0));
      if (config.slack.appToken) await connectSocket(config.slack.appToken);
      return opsPort === undefined ? { port } : { port, opsPort };
    },
    async stop() {
      stopping = true;
      await socket?.stop();
      await http.close();
      await ops?.close();
    },
  };
}

/** Listens on `port`, with an error naming the setting when the port cannot be had. */
function listen(server: SlackHttpServer, setting: string, port: number): Promise<number> {
  return server.listen(port).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE')
      throw new Error(`${setting}: ${port} is already in use by another program`);
    if (err.code === 'EACCES')
      throw new Error(`${setting}: ${port} needs privileges this process does not have`);
    throw err;
  });
}

import type { App as BoltApp } from '@slack/bolt';
import type Keyv from 'keyv';
import { ClaudeClient, type ClaudeRequest, type StreamOptions } from './claude/client.js';
import type { Config } from './config.js';
import { secretValues } from './config.js';
import { countSlackCalls, countTraffic, measureClaude, TimedQueue } from './ops/instrument.js';
import { boltLogger, createLogger, type Logger } from './ops/logger.js';
import { BREAKER_VALUE, createMetrics, type Metrics, watchQueue } from './ops/metrics.js';
import { UsageBook, usageRecorder } from './ops/usage.js';
import { AccessPolicy, accessGate } from './slack/access.js';
import { AnswerRunner } from './slack/answer-runner.js';
import { loadBoltApp } from './slack/bolt-app.js';
import { UserDirectory } from './slack/directory.js';
import { ForwardedReceiver } from './slack/forwarded-receiver.js';
import { createFront, type EngineLink, type EngineStatus, readyLine } from './slack/front.js';
import { startFrontThread } from './slack/front-thread.js';
import type { Identity } from './slack/history.js';
import { register as registerAppHome } from './slack/listeners/app-home.js';
import { register as registerMessages } from './slack/listeners/messages.js';
import { register as registerSummarize } from './slack/listeners/summarize.js';
import { register as registerUsageHome } from './slack/listeners/usage-home.js';
import { StreamPacer } from './slack/reply.js';
import { createPostClient, createReadClient, slackErrorCode } from './slack/web.js';
import { createBreaker } from './traffic/breaker.js';
import { createAnswerCache } from './traffic/cache.js';
import { type ClaimStore, MemoryClaims, RedisClaims } from './traffic/claims.js';
import { createEgress } from './traffic/egress.js';
import { RedisFlightLocks } from './traffic/flight-locks.js';
import { Traffic } from './traffic/index.js';
import { createRedis, redisReady } from './traffic/redis.js';
import { createStore } from './traffic/store.js';
import { UserBudget } from './traffic/user-budget.js';
import { WaitingRoom } from './traffic/waiting-room.js';

const App = loadBoltApp();
type App = BoltApp;

/** Replaceable parts, for tests and the sandbox. */
export interface BotOverrides {
  logger?: Logger;
  store?: Keyv;
  claims?: ClaimStore;
  now?: () => Date;
  /** Claim and single-flight lease without renewal (tests of a process that dies mid-answer). */
  claimLeaseMs?: number;
  /** Reads the current Anthropic key (rotation); default: the configured one. */
  anthropicKey?: () => string;
  /** Runs the front (receiving and acks) in a worker thread of its own (src/main.ts does). */
  frontThread?: boolean;
  /** Told when the front's thread dies: the bot hears nothing more from Slack. */
  onFrontFailure?: (err: Error) => void;
}

/** Everything that does the work behind the front: Bolt's listeners, Claude, the queue, Redis. */
export interface Engine {
  readonly app: App;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly identity: Identity;
  /** Runs Bolt for one request handed on by the front (see EngineLink.deliver). */
  dispatch: EngineLink['deliver'];
  status(): EngineStatus;
  /** Connects to Slack (auth.test) and Redis; from then on it takes work. */
  start(): Promise<void>;
  /** Stops taking work, lets running answers finish within the grace period, closes clients. */
  stop(): Promise<void>;
  /**
   * Takes rotated secrets (re-read from *_FILE): new Claude calls use the new API key, the bot's
   * Web API clients the new bot token. Nothing in flight is interrupted.
   */
  reloadSecrets(next: Config): void;
  /** Claude calls waiting in the queue and running now (the sandbox panel shows them). */
  queue(): { waiting: number; running: number };
}

export interface Bot extends Omit<Engine, 'dispatch' | 'status' | 'start'> {
  /**
   * Connects to Slack (auth.test), then listens. Resolves with the HTTP port and, when the front
   * has a thread of its own, that thread's id in the OS (Linux).
   */
  start(): Promise<{ port: number | undefined; frontThreadId?: number }>;
  isReady(): boolean;
}

/**
 * The bot: the front (receiving, acks, health routes) handing requests to the engine. With
 * `frontThread` (src/main.ts) the front runs in a worker thread of its own, so acks stay fast
 * while the engine is busy; tests and the sandbox keep both in one thread.
 */
export function createBot(config: Config, overrides: BotOverrides = {}): Bot {
  const engine = createEngine(config, overrides);
  const { log, metrics } = engine;
  const link: EngineLink = {
    deliver: engine.dispatch,
    health: () => ({ ...engine.status(), alive: true }),
    metrics: async () => ({
      contentType: metrics.registry.contentType,
      text: await metrics.registry.metrics(),
    }),
    acked: (type, seconds) => metrics.ack.observe({ type }, seconds),
    socket: (event) => metrics.socketConnections.inc({ event }),
  };
  const egress = overrides.frontThread ? undefined : createEgress(config.proxy);
  const threaded = overrides.frontThread
    ? startFrontThread(
        {
          config: {
            port: config.port,
            slack: {
              signingSecret: config.slack.signingSecret,
              appToken: config.slack.appToken,
              apiUrl: config.slack.apiUrl,
            },
          },
          logLevel: config.logLevel,
          proxy: config.proxy,
        },
        { link, log, onFailure: overrides.onFrontFailure ?? ((err) => log.fatal({ err }, 'front failed')) },
      )
    : undefined;
  const front =
    threaded ??
    createFront(config, {
      link,
      logger: boltLogger(log),
      ...(egress ? { dispatcher: egress.dispatcher } : {}),
    });
  let stopped = false;
  return {
    app: engine.app,
    log,
    metrics,
    identity: engine.identity,
    reloadSecrets: engine.reloadSecrets,
    queue: engine.queue,
    isReady: () => engine.status().ready,
    async start() {
      await engine.start();
      const port = await front.start();
      log.info(readyLine(config, port, engine.identity.botName), 'ready');
      const frontThreadId = threaded?.threadId();
      return { port, ...(frontThreadId === undefined ? {} : { frontThreadId }) };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await front.stop().catch((err) => log.warn({ err }, 'error while stopping the receiver'));
      await engine.stop();
      await egress?.close().catch(() => {});
    },
  };
}

/** The composition root: builds every client from config and wires them. No module-level state. */
export function createEngine(config: Config, overrides: BotOverrides = {}): Engine {
  // Mutable: secrets rotated in later (reloadSecrets) are scrubbed from logs too.
  const secrets = secretValues(config);
  const log = overrides.logger ?? createLogger({ level: config.logLevel, secrets });
  let anthropicKey = config.anthropic.apiKey;
  const metrics = createMetrics();
  const slackLog = boltLogger(log);
  // HTTPS_PROXY / NO_PROXY: every Slack and Anthropic request goes through this fetch.
  const egress = createEgress(config.proxy);
  const webSettings = {
    fetch: egress.fetch,
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger: slackLog,
    observe: countSlackCalls(metrics),
  };
  const readClient = createReadClient(webSettings);
  const postClient = createPostClient(webSettings);
  const prefix = config.redisKeyPrefix;
  const store = overrides.store ?? createStore(config.redisUrl, log, `${prefix}kv`);
  const directory = new UserDirectory(readClient);
  const pacer = new StreamPacer(config.bot.streamAppendsPerMinute);
  const identity: Identity = { botUserId: '', botId: undefined, botName: 'Claude' };
  let ready = false;
  let stopping = false;

  const redis = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;
  const claims = overrides.claims ?? (redis ? new RedisClaims(redis, prefix, log) : new MemoryClaims());
  const queue = new TimedQueue(
    {
      maxConcurrent: config.claude.maxConcurrent,
      requestsPerMinute: config.claude.requestsPerMinute,
      inputTokensPerMinute: config.claude.inputTokensPerMinute || undefined,
      outputTokensPerMinute: config.claude.outputTokensPerMinute || undefined,
      maxQueued: config.claude.maxQueued,
      redis,
      id: `${prefix}claude`,
      log,
    },
    (seconds) => metrics.queueWait.observe(seconds),
  );
  // People's questions wait here, as plain jobs, until they can go on to the Claude queue; twice
  // the concurrency is let through so the next answers are ready when a slot frees.
  const room = new WaitingRoom({
    slots: config.claude.maxConcurrent * 2,
    maxWaiting: config.claude.maxQueued,
  });
  const waiting = {
    get queued() {
      return queue.queued + room.waiting;
    },
    get running() {
      return queue.running;
    },
  };
  watchQueue(metrics, waiting);
  const claude = new ClaudeClient({
    apiKey: overrides.anthropicKey ?? (() => anthropicKey),
    baseUrl: config.anthropic.baseUrl,
    fetch: egress.fetch,
    firstTokenTimeoutMs: config.claude.firstTokenTimeoutMs,
    timeoutMs: config.claude.timeoutMs,
    log,
    onRateLimit: (info) => {
      if (info.retryAfterMs !== undefined) void queue.backOff();
      else if (info.requestsRemaining !== undefined) void queue.observeRemaining(info.requestsRemaining);
    },
  });
  const stream = (req: ClaudeRequest, opts: StreamOptions) => claude.stream(req, opts);
  const breaker = createBreaker(measureClaude(metrics, config.claude.prices, stream), {
    // Our own first-token and overall timeouts fire first; this only catches a stuck call.
    timeoutMs: config.claude.timeoutMs + 10_000,
    resetTimeoutMs: config.claude.breakerResetMs,
    log,
    onStateChange: (state) => metrics.breaker.set(BREAKER_VALUE[state]),
  });
  const traffic = new Traffic({
    call: breaker.call,
    cache: createAnswerCache(store, config.cacheTtlSeconds),
    queue,
    locks: redis ? new RedisFlightLocks(redis, `${prefix}flight:`) : undefined,
    flightWaitMs: config.claude.timeoutMs,
    maxRetries: config.claude.maxRetries,
    flightLeaseMs: overrides.claimLeaseMs,
    onEvent: countTraffic(metrics),
  });
  const usage = new UsageBook(redis, prefix);

  const clientOptions = {
    ...(egress.fetch ? { fetch: egress.fetch } : {}),
    slackApiUrl: config.slack.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
  };
  const receiver = new ForwardedReceiver();
  // convoStore: false turns off Bolt's in-process conversation store, which nothing here reads and
  // which would cost every event a lookup that fails with a new Error.
  const app = new App({
    token: config.slack.botToken,
    logger: slackLog,
    clientOptions,
    receiver,
    convoStore: false,
  });
  const access = new AccessPolicy(config.access, readClient, log);

  app.error(async (err) => {
    log.error({ err }, 'slack listener error');
  });

  const runner = new AnswerRunner({
    config,
    claims,
    traffic,
    postClient,
    readClient,
    directory,
    identity,
    pacer,
    metrics,
    log,
    now: overrides.now,
    leaseMs: overrides.claimLeaseMs,
    store,
    room,
    budget: new UserBudget(
      {
        maxConcurrent: config.claude.userMaxConcurrent,
        requestsPerHour: config.claude.userRequestsPerHour,
        tokensPerDay: config.claude.userTokensPerDay,
      },
      redis,
      `${prefix}budget:`,
    ),
    onAnswered: usageRecorder(usage, config.claude.model, config.claude.prices, log, overrides.now),
  });

  registerMessages(app, {
    identity,
    log,
    answerThreadFollowups: config.bot.answerThreadFollowups,
    allowBotMessages: config.bot.allowBotMessages,
    submit: (job) => {
      metrics.events.inc({ kind: job.place.kind === 'dm' ? 'dm' : 'mention' });
      if (stopping) {
        log.warn({ ref: job.eventId }, 'event received while stopping; not answered here');
        return;
      }
      runner.submit(job);
    },
    hasAnsweredIn: (team, channel, ts) => runner.hasAnsweredIn(team, channel, ts),
    admit: accessGate(access, { claims, postClient, log }),
  });
  registerAppHome(app, {
    log,
    get botName() {
      return identity.botName;
    },
    postClient,
    firstGreeting: async (user) => {
      const key = `greeted:${user}`;
      if (await store.get(key).catch(() => undefined)) return false;
      await store.set(key, true).catch(() => undefined);
      return true;
    },
  });
  registerSummarize(app, {
    log,
    identity,
    readClient,
    postClient,
    directory,
    traffic,
    store,
    claude: config.claude,
    track: (work) => runner.track(work),
    access,
  });
  registerUsageHome(app, {
    log,
    usage,
    postClient,
    admins: new Set(config.bot.adminUserIds),
    now: overrides.now,
  });

  return {
    app,
    log,
    metrics,
    identity,
    dispatch: (request, ack) => receiver.dispatch(request, ack),
    status: () => ({ ready: ready && !stopping, redisOk: !redis || redisReady(redis) }),
    reloadSecrets(next: Config) {
      for (const v of secretValues(next)) if (!secrets.includes(v)) secrets.push(v);
      const rotated = [];
      if (next.anthropic.apiKey !== anthropicKey) {
        anthropicKey = next.anthropic.apiKey;
        rotated.push('ANTHROPIC_API_KEY');
      }
      if (next.slack.botToken !== readClient.token) {
        // WebClient reads `token` on every call; it is typed readonly but meant to be replaceable.
        for (const c of [readClient, postClient]) (c as { token?: string }).token = next.slack.botToken;
        rotated.push('SLACK_BOT_TOKEN');
      }
      log.info({ rotated }, rotated.length ? 'secrets rotated' : 'secrets unchanged');
    },
    queue: () => ({ waiting: waiting.queued, running: waiting.running }),
    async start() {
      let auth: Awaited<ReturnType<typeof readClient.auth.test>>;
      try {
        auth = await readClient.auth.test();
      } catch (err) {
        const code = slackErrorCode(err) ?? (err as Error).message;
        throw new Error(`SLACK_BOT_TOKEN: Slack did not accept the token (${code})`);
      }
      identity.botUserId = auth.user_id ?? '';
      identity.botId = auth.bot_id;
      identity.botName = auth.user ?? identity.botName;
      if (redis && !(await queue.ready(3000))) {
        log.warn('redis not reachable at start; limits are per process until it is');
      }
      ready = true;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info({ inflight: runner.size }, 'stopping');
      const { finished, aborted } = await runner.drain(config.shutdownGraceMs);
      if (aborted) log.warn({ finished, aborted }, 'grace period over; unfinished answers told to ask again');
      await queue.stop();
      breaker.breaker.shutdown();
      redis?.disconnect();
      await store.disconnect().catch(() => {});
      await egress.close().catch(() => {});
      ready = false;
      log.info('stopped');
    },
  };
}

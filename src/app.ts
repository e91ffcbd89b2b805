import { App, type CustomRoute } from '@slack/bolt';
import type Keyv from 'keyv';
import { ClaudeClient, type ClaudeRequest, type StreamOptions } from './claude/client.js';
import type { Config } from './config.js';
import { secretValues } from './config.js';
import { countSlackCalls, countTraffic, measureClaude, TimedQueue, timeAcks } from './ops/instrument.js';
import { boltLogger, createLogger, type Logger } from './ops/logger.js';
import { BREAKER_VALUE, createMetrics, type Metrics, watchQueue } from './ops/metrics.js';
import { UsageBook, usageRecorder } from './ops/usage.js';
import { AccessPolicy, accessGate } from './slack/access.js';
import { AnswerRunner } from './slack/answer-runner.js';
import { UserDirectory } from './slack/directory.js';
import type { Identity } from './slack/history.js';
import { GuardedHttpReceiver } from './slack/http-receiver.js';
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
}

export interface Bot {
  readonly app: App;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly identity: Identity;
  /** Connects to Slack (auth.test), then listens. Resolves with the HTTP port. */
  start(): Promise<{ port: number | undefined }>;
  /** Stops taking events, lets running answers finish within the grace period, closes clients. */
  stop(): Promise<void>;
  /**
   * Takes rotated secrets (re-read from *_FILE): new Claude calls use the new API key, the bot's
   * Web API clients the new bot token. Nothing in flight is interrupted.
   */
  reloadSecrets(next: Config): void;
  isReady(): boolean;
  /** Claude calls waiting in the queue and running now (the sandbox panel shows them). */
  queue(): { waiting: number; running: number };
}

/** The composition root: builds every client from config and wires them. No module-level state. */
export function createBot(config: Config, overrides: BotOverrides = {}): Bot {
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
  watchQueue(metrics, queue);
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

  const routes: CustomRoute[] = [
    {
      path: '/healthz',
      method: 'GET',
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      },
    },
    {
      path: '/readyz',
      method: 'GET',
      handler: (_req, res) => {
        // Slack auth verified and listening, Redis reachable when configured, not shutting down.
        const redisOk = !redis || redisReady(redis);
        const ok = ready && !stopping && redisOk;
        const status = ok ? 'ready' : stopping ? 'stopping' : !ready ? 'starting' : 'redis_unreachable';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status }));
      },
    },
    {
      path: '/metrics',
      method: 'GET',
      handler: async (_req, res) => {
        res
          .writeHead(200, { 'content-type': metrics.registry.contentType })
          .end(await metrics.registry.metrics());
      },
    },
  ];

  const clientOptions = {
    ...(egress.fetch ? { fetch: egress.fetch } : {}),
    slackApiUrl: config.slack.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
  };
  const http = config.slack.appToken
    ? undefined
    : new GuardedHttpReceiver({ signingSecret: config.slack.signingSecret, routes, logger: slackLog });
  const app = config.slack.appToken
    ? new App({
        token: config.slack.botToken,
        appToken: config.slack.appToken,
        socketMode: true,
        logger: slackLog,
        clientOptions,
        customRoutes: routes,
        installerOptions: {
          port: config.port,
          clientOptions: {
            slackApiUrl: config.slack.apiUrl,
            ...(egress.fetch ? { fetch: egress.fetch } : {}),
          },
        },
      })
    : new App({ token: config.slack.botToken, logger: slackLog, clientOptions, receiver: http?.receiver });

  timeAcks(app, metrics);
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
    isReady: () => ready && !stopping,
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
    queue: () => ({ waiting: queue.queued, running: queue.running }),
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
      // Socket Mode serves health and metrics on PORT itself; HTTP mode listens through the guard.
      let port: number | undefined;
      if (http) port = await http.listen(config.port);
      else await app.start();
      ready = true;
      log.info(
        {
          mode: config.slack.appToken ? 'socket' : 'http',
          port,
          bot: identity.botName,
          model: config.claude.model,
        },
        'ready',
      );
      return { port };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info({ inflight: runner.size }, 'stopping');
      await (http ? http.close() : app.stop()).catch((err) =>
        log.warn({ err }, 'error while stopping the receiver'),
      );
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

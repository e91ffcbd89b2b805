import type { AddressInfo } from 'node:net';
import { App, type CustomRoute } from '@slack/bolt';
import type Keyv from 'keyv';
import { ClaudeClient, type ClaudeRequest, type StreamOptions } from './claude/client.js';
import type { Config } from './config.js';
import { secretValues } from './config.js';
import { answer } from './core/answer.js';
import type { AnswerJob } from './core/types.js';
import { JobTracker } from './ops/jobs.js';
import { boltLogger, createLogger, type Logger } from './ops/logger.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { UserDirectory } from './slack/directory.js';
import { type Identity, loadConversation } from './slack/history.js';
import { register as registerAppHome } from './slack/listeners/app-home.js';
import { register as registerMessages } from './slack/listeners/messages.js';
import { register as registerSummarize } from './slack/listeners/summarize.js';
import { SlackReply, StreamPacer } from './slack/reply.js';
import { createPostClient, createReadClient, slackErrorCode } from './slack/web.js';
import { createBreaker } from './traffic/breaker.js';
import { createAnswerCache } from './traffic/cache.js';
import { type ClaimStore, MemoryClaims, RedisClaims } from './traffic/claims.js';
import { RedisFlightLocks } from './traffic/flight-locks.js';
import { Traffic } from './traffic/index.js';
import { ClaudeQueue } from './traffic/queue.js';
import { createRedis } from './traffic/redis.js';
import { createStore } from './traffic/store.js';

/** Replaceable parts, for tests and the sandbox. */
export interface BotOverrides {
  logger?: Logger;
  store?: Keyv;
  claims?: ClaimStore;
  now?: () => Date;
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
  isReady(): boolean;
  /** Claude calls waiting in the queue and running now (the sandbox panel shows them). */
  queue(): { waiting: number; running: number };
}

/** How long a claimed event stays claimed: longer than Slack's last retry (+5 min). */
const CLAIM_LEASE_MS = 15 * 60 * 1000;
const CLAIM_KEEP_MS = 6 * 60 * 60 * 1000;

/** The composition root: builds every client from config and wires them. No module-level state. */
export function createBot(config: Config, overrides: BotOverrides = {}): Bot {
  const log = overrides.logger ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const metrics = createMetrics();
  const slackLog = boltLogger(log);
  const webSettings = { token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger: slackLog };
  const readClient = createReadClient(webSettings);
  const postClient = createPostClient(webSettings);
  const prefix = config.redisKeyPrefix;
  const store = overrides.store ?? createStore(config.redisUrl, log, `${prefix}kv`);
  const directory = new UserDirectory(readClient);
  const pacer = new StreamPacer(config.bot.streamAppendsPerMinute);
  const jobs = new JobTracker();
  const identity: Identity = { botUserId: '', botId: undefined, botName: 'Claude' };
  const answeredThreads = new Map<string, number>();
  let ready = false;
  let stopping = false;

  const redis = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;
  const claims =
    overrides.claims ?? (redis ? new RedisClaims(redis, `${prefix}claim:`, log) : new MemoryClaims());
  const queue = new ClaudeQueue({
    maxConcurrent: config.claude.maxConcurrent,
    requestsPerMinute: config.claude.requestsPerMinute,
    inputTokensPerMinute: config.claude.inputTokensPerMinute || undefined,
    outputTokensPerMinute: config.claude.outputTokensPerMinute || undefined,
    maxQueued: config.claude.maxQueued,
    redis,
    id: `${prefix}claude`,
    log,
  });
  const claude = new ClaudeClient({
    apiKey: overrides.anthropicKey ?? (() => config.anthropic.apiKey),
    baseUrl: config.anthropic.baseUrl,
    maxRetries: config.claude.maxRetries,
    firstTokenTimeoutMs: config.claude.firstTokenTimeoutMs,
    timeoutMs: config.claude.timeoutMs,
    log,
    onRateLimit: (info) => {
      if (info.retryAfterMs !== undefined) void queue.backOff();
      else if (info.requestsRemaining !== undefined) void queue.observeRemaining(info.requestsRemaining);
    },
  });
  const breaker = createBreaker((req: ClaudeRequest, opts: StreamOptions) => claude.stream(req, opts), {
    // Our own first-token and overall timeouts fire first; this only catches a stuck call.
    timeoutMs: config.claude.timeoutMs + 10_000,
    resetTimeoutMs: config.claude.breakerResetMs,
    log,
  });
  const traffic = new Traffic({
    call: breaker.call,
    cache: createAnswerCache(store, config.cacheTtlSeconds),
    queue,
    locks: redis ? new RedisFlightLocks(redis, `${prefix}flight:`) : undefined,
    flightWaitMs: config.claude.timeoutMs,
  });

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
        const ok = ready && !stopping;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ready' : stopping ? 'stopping' : 'starting' }));
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
    slackApiUrl: config.slack.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2000 },
  };
  const app = config.slack.appToken
    ? new App({
        token: config.slack.botToken,
        appToken: config.slack.appToken,
        socketMode: true,
        logger: slackLog,
        clientOptions,
        customRoutes: routes,
        installerOptions: { port: config.port, clientOptions: { slackApiUrl: config.slack.apiUrl } },
      })
    : new App({
        token: config.slack.botToken,
        signingSecret: config.slack.signingSecret,
        logger: slackLog,
        clientOptions,
        customRoutes: routes,
        processBeforeResponse: false,
      });

  app.error(async (err) => {
    log.error({ err }, 'slack listener error');
  });

  const threadKey = (team: string, channel: string, ts: string) => `${team}:${channel}:${ts}`;

  async function run(job: AnswerJob): Promise<void> {
    const claimKey = `claim:${job.place.teamId}:${job.place.channelId}:${job.messageTs}`;
    if (!(await claims.claim(claimKey, CLAIM_LEASE_MS))) {
      metrics.duplicates.inc();
      log.info({ ref: job.eventId, channel: job.place.channelId }, 'duplicate event dropped');
      return;
    }
    metrics.inflight.inc();
    const started = Date.now();
    const target = {
      channel: job.place.channelId,
      threadTs: job.place.threadTs,
      teamId: job.place.teamId,
      userId: job.userId,
    };
    const sink = new SlackReply(postClient, target, pacer, log.child({ ref: job.eventId }));
    let firstText = true;
    const timedSink = {
      thinking: (s?: string) => sink.thinking(s),
      append: (d: string) => {
        if (firstText) metrics.firstText.observe((Date.now() - started) / 1000);
        firstText = false;
        sink.append(d);
      },
      finish: () => sink.finish(),
      fail: (t: string) => sink.fail(t),
    };
    try {
      const outcome = await answer(job, timedSink, {
        loadConversation: (j) => loadConversation(readClient, directory, identity, j),
        traffic,
        log,
        botName: identity.botName,
        model: config.claude.model,
        maxTokens: config.claude.maxTokens,
        contextTokens: config.claude.contextTokens,
        customPrompt: config.bot.systemPrompt,
        now: overrides.now,
      });
      metrics.answers.inc({
        outcome: outcome.ok ? 'ok' : (outcome.errorKind ?? 'error'),
        source: outcome.source ?? 'none',
      });
      answeredThreads.set(threadKey(job.place.teamId, job.place.channelId, job.place.threadTs), Date.now());
      if (answeredThreads.size > 20_000)
        answeredThreads.delete(answeredThreads.keys().next().value as string);
      await claims.complete(claimKey, CLAIM_KEEP_MS);
    } catch (err) {
      // Nothing could be written to Slack: let a redelivery try again.
      log.error({ err, code: slackErrorCode(err), ref: job.eventId }, 'answer could not be delivered');
      metrics.answers.inc({ outcome: 'undelivered', source: 'none' });
      await claims.release(claimKey);
    } finally {
      metrics.inflight.dec();
    }
  }

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
      void jobs.track(run(job));
    },
    hasAnsweredIn: (team, channel, ts) => answeredThreads.has(threadKey(team, channel, ts)),
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
    track: (work) => void jobs.track(work),
  });

  return {
    app,
    log,
    metrics,
    identity,
    isReady: () => ready && !stopping,
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
      const server = config.slack.appToken ? await app.start() : await app.start(config.port);
      ready = true;
      const address = (server as { address?: () => AddressInfo | string | null } | undefined)?.address?.();
      const port = typeof address === 'object' && address ? address.port : undefined;
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
      log.info({ inflight: jobs.size }, 'stopping');
      await app.stop().catch((err) => log.warn({ err }, 'error while stopping the receiver'));
      const finished = await jobs.idle(config.shutdownGraceMs);
      if (!finished) log.warn({ inflight: jobs.size }, 'grace period over; answers still running');
      await queue.stop();
      breaker.breaker.shutdown();
      redis?.disconnect();
      await store.disconnect().catch(() => {});
      ready = false;
      log.info('stopped');
    },
  };
}

import { BatchClient } from '../claude/batches.js';
import type { ClaudeRequest } from '../claude/client.js';
import { ClaudeClient } from '../claude/client.js';
import { measureClaude } from '../claude/instrument.js';
import { batchSavingOf, costOf, priceOf } from '../claude/prices.js';
import type { Config } from '../config/config.js';
import type { Platform } from '../platform/index.js';
import { BREAKER_VALUE, watchQueue } from '../platform/metrics.js';
import { BatchedCalls, FileBatchBook, MemoryBatchBook, RedisBatchBook } from './batched-calls.js';
import { createBreaker } from './breaker.js';
import { createAnswerCache } from './cache.js';
import { type ClaimStore, DEFAULT_LEASE_MS, MemoryClaims, RedisClaims } from './claims.js';
import { DurableJobs, type JobStore } from './durable-jobs.js';
import { RedisFlightLocks } from './flight-locks.js';
import { LocalJobs } from './local-jobs.js';
import { ClaudeQueue } from './queue.js';
import { countTraffic, Traffic } from './traffic.js';
import { UsageBook, usageRecorder } from './usage.js';
import { UserBudget } from './user-budget.js';
import { WaitingRoom } from './waiting-room.js';

export interface LimitsOptions {
  /** Reads the current Anthropic key, so a rotated key is used by the next call. */
  apiKey: () => string;
  claims?: ClaimStore;
  /** Claim and single-flight lease without renewal (tests of a process that dies mid-answer). */
  claimLeaseMs?: number;
  now?: () => Date;
}

/**
 * The path of every Claude call: cache → single-flight → queue (concurrency, RPM/TPM, priorities)
 * → breaker → the client; with the waiting room before it, per-person budgets, exactly-once
 * claims and the usage book beside it. Shared through Redis when REDIS_URL is set.
 */
export function createLimits(config: Config, platform: Platform, opts: LimitsOptions) {
  const { log, metrics, redis, store } = platform;
  const prefix = config.redisKeyPrefix;
  const claims = opts.claims ?? (redis ? new RedisClaims(redis, prefix, log) : new MemoryClaims());
  const queue = new ClaudeQueue({
    maxConcurrent: config.claude.maxConcurrent,
    requestsPerMinute: config.claude.requestsPerMinute,
    inputTokensPerMinute: config.claude.inputTokensPerMinute || undefined,
    outputTokensPerMinute: config.claude.outputTokensPerMinute || undefined,
    maxQueued: config.claude.maxQueued,
    redis,
    id: `${prefix}claude`,
    log,
    onWait: (seconds) => metrics.queueWait.observe(seconds),
    // Our own first-token and overall timeouts end a call first; this frees a dead replica's slot.
    runningExpiryMs: config.claude.timeoutMs + 5_000,
  });
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
    apiKey: opts.apiKey,
    baseUrl: config.anthropic.baseUrl,
    fetch: platform.egress.fetch,
    firstTokenTimeoutMs: config.claude.firstTokenTimeoutMs,
    timeoutMs: config.claude.timeoutMs,
    log,
    // Anthropic's live rate-limit figures steer the queue's reservoir.
    onRateLimit: (info) => {
      if (info.retryAfterMs !== undefined) void queue.backOff();
      else if (info.requestsRemaining !== undefined) void queue.observeRemaining(info.requestsRemaining);
    },
  });
  const breaker = createBreaker(
    measureClaude(metrics, config.claude.prices, (req, o) => claude.stream(req, o)),
    {
      // Our own first-token and overall timeouts fire first; this only catches a stuck call.
      timeoutMs: config.claude.timeoutMs + 10_000,
      resetTimeoutMs: config.claude.breakerResetMs,
      log,
      onStateChange: (state) => metrics.breaker.set(BREAKER_VALUE[state]),
    },
  );
  const traffic = new Traffic({
    call: breaker.call,
    cache: createAnswerCache(store, config.cacheTtlSeconds),
    queue,
    locks: redis ? new RedisFlightLocks(redis, `${prefix}flight:`) : undefined,
    flightWaitMs: config.claude.timeoutMs,
    maxRetries: config.claude.maxRetries,
    flightLeaseMs: opts.claimLeaseMs,
    onEvent: countTraffic(metrics),
  });
  const batchClient = new BatchClient({
    apiKey: opts.apiKey,
    baseUrl: config.anthropic.baseUrl,
    fetch: platform.egress.fetch,
    timeoutMs: 60_000,
    log,
  });
  const batched = new BatchedCalls({
    client: batchClient,
    book: redis
      ? new RedisBatchBook(redis, prefix)
      : config.stateDir
        ? new FileBatchBook(config.stateDir)
        : new MemoryBatchBook(),
    log,
    pollMs: config.bot.batchPollSeconds * 1000,
    maxPollMs: Math.max(config.bot.batchPollSeconds, config.bot.batchPollMaxSeconds) * 1000,
    maxPollFailures: config.bot.batchPollMaxFailures,
    onEvent: (event, model) => metrics.batches.inc({ event, model }),
  });
  const usage = new UsageBook(redis, prefix);
  const budget = new UserBudget(
    {
      maxConcurrent: config.claude.userMaxConcurrent,
      requestsPerHour: config.claude.userRequestsPerHour,
      tokensPerDay: config.claude.userTokensPerDay,
    },
    redis,
    `${prefix}budget:`,
  );
  return {
    claims,
    /**
     * Questions kept until answered: in Redis, taken over when their replica dies; else in
     * STATE_DIR's journal, resumed when the process starts again; else nowhere (memory only).
     */
    jobs: jobStore(config, platform, opts.claimLeaseMs ?? DEFAULT_LEASE_MS),
    queue,
    room,
    traffic,
    /** Calls that can wait, through the Message Batches API (half the price); counted like the others. */
    batches: {
      async ask(scope: { teamId: string; channelId: string }, req: ClaudeRequest, signal?: AbortSignal) {
        const r = await batched.ask(scope, req, signal);
        const model = req.model;
        const u = r.usage;
        const price = priceOf(model, config.claude.prices);
        metrics.claudeRequests.inc({ model, outcome: 'ok' });
        metrics.tokens.inc({ model, type: 'input' }, u.inputTokens);
        metrics.tokens.inc({ model, type: 'output' }, u.outputTokens);
        metrics.tokens.inc({ model, type: 'cache_read' }, u.cacheReadTokens);
        metrics.tokens.inc({ model, type: 'cache_write' }, u.cacheWriteTokens);
        metrics.cost.inc({ model }, costOf(u, price));
        metrics.batchSaving.inc({ model }, batchSavingOf(u, price));
        return r;
      },
    },
    usage,
    budget,
    recordUsage: usageRecorder(usage, config.claude.model, config.claude.prices, log, opts.now),
    /** Claude calls waiting (the queue and the waiting room) and running now. */
    load: () => ({ waiting: waiting.queued, running: waiting.running }),
    /** Checks the API key and CLAUDE_MODEL (see ClaudeClient.check). */
    checkClaude: () => claude.check(config.claude.model),
    /** True once the shared limits answer (Redis), or at once without Redis. */
    ready: (ms: number) => queue.ready(ms),
    async stop() {
      await queue.stop();
      breaker.breaker.shutdown();
    },
  };
}

export type Limits = ReturnType<typeof createLimits>;

function jobStore(config: Config, platform: Platform, leaseMs: number): JobStore | undefined {
  if (platform.redis) {
    if (config.stateDir) platform.log.info('STATE_DIR unused: questions are kept in Redis (REDIS_URL)');
    return new DurableJobs(platform.redis, config.redisKeyPrefix, leaseMs);
  }
  if (!config.stateDir) return undefined;
  try {
    return new LocalJobs(config.stateDir, leaseMs);
  } catch (err) {
    platform.log.error(
      { err: { message: (err as Error).message }, dir: config.stateDir },
      'STATE_DIR cannot hold the journal; questions are kept in memory only',
    );
    return undefined;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import type { ClaudeRequest, ClaudeResult, StreamOptions } from '../claude/client.js';
import { ClaudeError } from '../claude/errors.js';
import { PROMPT_VERSION, requestTokens } from '../claude/prompt.js';
import type { Metrics } from '../platform/metrics.js';
import { type AnswerCache, answerKey } from './cache.js';
import type { FlightLocks } from './flight-locks.js';
import { type ClaudeQueue, PRIORITY } from './queue.js';
import { SingleFlight } from './single-flight.js';

/** A replica's single-flight lock lives this long unless renewed: a dead replica's lock goes soon. */
const FLIGHT_LEASE_MS = 10_000;

/** Where an answer came from: a new Claude call, one already in flight, or the cache. */
export type AnswerSource = 'claude' | 'joined' | 'cache';

export interface TrafficAnswer {
  text: string;
  source: AnswerSource;
  result?: ClaudeResult;
}

export type ClaudeCall = (
  req: ClaudeRequest,
  opts: { onText: (d: string) => void; onTool?: StreamOptions['onTool']; signal?: AbortSignal },
) => Promise<ClaudeResult>;

export interface TrafficDeps {
  /** The Claude call, already wrapped by the circuit breaker. */
  call: ClaudeCall;
  cache: AnswerCache;
  queue: ClaudeQueue;
  /** Cross-replica single-flight (Redis); in-process single-flight always applies. */
  locks?: FlightLocks;
  /** How long a follower waits for another replica's answer before asking itself. */
  flightWaitMs: number;
  /** Attempts after the first for retryable failures (CLAUDE_MAX_RETRIES). */
  maxRetries: number;
  /** Lease of a single-flight lock without renewal; default 10 s. */
  flightLeaseMs?: number;
  onEvent?: (event: 'cache_hit' | 'cache_miss' | 'joined') => void;
}

export interface AskOptions {
  onQueued?: (ahead: number) => void;
  signal?: AbortSignal;
  priority?: number;
  /** Told of each tool Claude uses (the asker's call only; others sharing it are not). */
  onTool?: StreamOptions['onTool'];
  /** How long the answer is reused (the channel profile's); default: CACHE_TTL_SECONDS. */
  cacheTtlSeconds?: number;
}

/**
 * The path of every Claude call: cache → single-flight → queue → breaker → Claude. Only complete
 * answers (Claude stopped on its own) are cached; a cache hit never touches the queue.
 */
export class Traffic {
  /** One call per key at a time; `result` is absent when another replica's answer was taken. */
  private flights = new SingleFlight<{ text: string; result?: ClaudeResult }>();

  constructor(private readonly deps: TrafficDeps) {}

  async ask(
    scope: { teamId: string; channelId: string },
    req: ClaudeRequest,
    onText: (delta: string) => void,
    opts: AskOptions = {},
  ): Promise<TrafficAnswer> {
    const key = answerKey(scope, req, PROMPT_VERSION);
    const hit = await this.deps.cache.get(key, opts.cacheTtlSeconds);
    if (hit) {
      this.deps.onEvent?.('cache_hit');
      onText(hit.text);
      return { text: hit.text, source: 'cache' };
    }
    this.deps.onEvent?.('cache_miss');
    const { joined, result } = this.flights.run(key, (emit) => this.callOnce(key, req, emit, opts), onText);
    if (joined) this.deps.onEvent?.('joined');
    const flight = await result;
    return {
      text: flight.text,
      source: joined || !flight.result ? 'joined' : 'claude',
      ...(flight.result ? { result: flight.result } : {}),
    };
  }

  private async callOnce(
    key: string,
    req: ClaudeRequest,
    emit: (d: string) => void,
    opts: AskOptions,
  ): Promise<{ text: string; result?: ClaudeResult }> {
    // Replicas share an answer through the cache: with none, each asks on its own.
    const locks =
      (opts.cacheTtlSeconds ?? this.deps.cache.defaultTtlSeconds) > 0 ? this.deps.locks : undefined;
    const lease = this.deps.flightLeaseMs ?? FLIGHT_LEASE_MS;
    if (locks && !(await locks.acquire(key, lease))) {
      const shared = await this.waitForPeer(key, locks, this.deps.flightWaitMs, opts.cacheTtlSeconds);
      if (shared) {
        emit(shared.text);
        return { text: shared.text };
      }
    }
    const renew = locks ? setInterval(() => void locks.extend(key, lease), lease / 3) : undefined;
    try {
      const ahead = this.deps.queue.queued;
      if (ahead > 0) opts.onQueued?.(ahead);
      const r = await this.attempts(req, emit, opts);
      if (r.stopReason === 'end_turn' || r.stopReason === 'stop_sequence') {
        await this.deps.cache.set(key, { text: r.text, at: Date.now() }, opts.cacheTtlSeconds);
      }
      return { text: r.text, result: r };
    } finally {
      clearInterval(renew);
      await locks?.release(key);
    }
  }

  /**
   * Up to 1 + maxRetries attempts, each through the queue: 429, 529, 5xx, connection errors and
   * streams that broke before any text are tried again after a short backoff (or retry-after);
   * once text was shown, a failure ends the answer.
   */
  private async attempts(
    req: ClaudeRequest,
    emit: (d: string) => void,
    opts: AskOptions,
  ): Promise<ClaudeResult> {
    const inputTokens = req.inputTokens ?? requestTokens(req);
    for (let attempt = 1; ; attempt++) {
      let sawText = false;
      try {
        const r = await this.deps.queue.schedule(
          {
            priority: opts.priority ?? PRIORITY.interactive,
            inputTokens,
            outputTokens: req.maxTokens,
            signal: opts.signal,
          },
          () =>
            this.deps.call(req, {
              onText: (d) => {
                sawText = true;
                emit(d);
              },
              onTool: opts.onTool,
              signal: opts.signal,
            }),
        );
        return { ...r, attempts: attempt };
      } catch (err) {
        const retry = err instanceof ClaudeError && err.retryable && !sawText && !opts.signal?.aborted;
        if (!retry || attempt > this.deps.maxRetries) throw err;
        const backoff = Math.min(8000, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);
        await sleep(Math.min(err.retryAfterMs ?? backoff, 30_000), undefined, { signal: opts.signal }).catch(
          () => {},
        );
      }
    }
  }

  /** Another replica is asking the same thing: wait for its answer in the shared cache. */
  private async waitForPeer(key: string, locks: FlightLocks, maxMs: number, ttlSeconds?: number) {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline) {
      await sleep(200);
      const hit = await this.deps.cache.get(key, ttlSeconds);
      if (hit) return hit;
      if (!(await locks.held(key))) return this.deps.cache.get(key, ttlSeconds);
    }
    return undefined;
  }

  get inflight(): number {
    return this.flights.size;
  }
}

/** Traffic's events (cache hit or miss, single-flight join) as counters. */
export function countTraffic(metrics: Metrics) {
  return (event: 'cache_hit' | 'cache_miss' | 'joined') => {
    if (event === 'joined') metrics.joins.inc();
    else metrics.cache.inc({ result: event === 'cache_hit' ? 'hit' : 'miss' });
  };
}

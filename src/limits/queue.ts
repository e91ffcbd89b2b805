import Bottleneck from 'bottleneck';
import type { Logger } from '../platform/logger.js';
import { type RedisClient, redisReady } from '../platform/redis.js';

/** Lower runs first (Bottleneck's 0–9). People waiting on an answer go before summary chunks. */
export const PRIORITY = { interactive: 3, background: 7 } as const;

export interface QueueOptions {
  maxConcurrent: number;
  requestsPerMinute: number;
  /** Output tokens per minute, reserved up front from max_tokens as Anthropic counts them. */
  outputTokensPerMinute?: number;
  inputTokensPerMinute?: number;
  /**
   * Most requests waiting beyond the slots free now; past it new ones are refused (the user is
   * told the bot is busy).
   */
  maxQueued: number;
  /** Shared limits across replicas when set. */
  redis?: RedisClient;
  /** Bottleneck id: replicas with the same id share limits. */
  id: string;
  log: Logger;
  /** Told how long each call waited for its slot, in seconds (a metric). */
  onWait?: (seconds: number) => void;
  /**
   * Longest a call can run (past the client's own timeouts). A shared slot whose replica died
   * mid-call is freed after it; without it the slot would stay taken for every replica.
   * @see https://github.com/SGrondin/bottleneck#clustering ("set an expiration on every job")
   */
  runningExpiryMs?: number;
}

export interface QueueJob {
  priority: number;
  inputTokens: number;
  outputTokens: number;
  /** Aborting gives up the place in the queue (shutdown). */
  signal?: AbortSignal;
}

/** The job was abandoned (its signal aborted) before it ran. */
export class QueueAbortError extends Error {
  override name = 'QueueAbortError';
}

/** The queue refused a job: it is full. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

/**
 * Token-bucket settings: the bucket holds one minute of capacity and refills a little at a time
 * (Anthropic's limits are token buckets, not fixed windows). It refills at 98% of the limit:
 * discrete refills that run in phase with the server's continuous refill would otherwise be
 * answered with a 429 now and then, and each 429 costs far more than 2% of the capacity.
 */
export const REFILL_SHARE = 0.98;

/**
 * Bottleneck adds a refill on the first heartbeat after each interval and restarts the interval
 * from then, so every late heartbeat loses a little capacity: refill every 2 s and look often
 * (the loss is about heartbeat / (2 × interval)).
 */
function bucket(perMinute: number, heartbeatMs: number) {
  const steps = Math.min(perMinute, 30);
  const amount = (perMinute * REFILL_SHARE) / steps;
  // A refill lands whole at each tick while Claude's bucket fills continuously, so just after a
  // tick ours can be up to one refill ahead: hold that much back from the capacity.
  const capacity = Math.max(1, perMinute - amount);
  return {
    reservoir: capacity,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseInterval: Math.floor(60_000 / steps),
    reservoirIncreaseMaximum: capacity,
    heartbeatInterval: heartbeatMs,
  };
}

/**
 * Bottleneck 2.19.5 recognises the error "SETTINGS_KEY_NOT_FOUND" and re-creates its keys, but
 * Redis 7 reports it as "ERR SETTINGS_KEY_NOT_FOUND", so after a flush or restart every job fails
 * for ever. This connection normalises the message so Bottleneck's own recovery runs.
 */
class RecoveringConnection extends Bottleneck.IORedisConnection {
  constructor(options: Bottleneck.IORedisConnectionOptions) {
    super(options);
    // Bottleneck's subscriber duplicates our client, its 1 s command timeout included; after a
    // reconnect ioredis subscribes again with a promise nobody handles, which a Redis slow to
    // come back then times out as an unhandled rejection. A subscription may take its time.
    // (A cluster's subscriber keeps the option per node, under redisOptions.)
    type Options = { commandTimeout?: number; redisOptions?: { commandTimeout?: number } };
    const sub = (this as unknown as { subscriber?: { options: Options } }).subscriber;
    if (sub) sub.options.commandTimeout = undefined;
    if (sub?.options.redisOptions) sub.options.redisOptions.commandTimeout = undefined;
  }

  __scriptFn__(name: string): (...args: unknown[]) => unknown {
    // biome-ignore lint/suspicious/noExplicitAny: Bottleneck's internal method is untyped.
    const fn = (Bottleneck.IORedisConnection.prototype as any).__scriptFn__.call(this, name);
    return (...args: unknown[]) => {
      const cb = args[args.length - 1] as (err: Error | null, r: unknown) => void;
      args[args.length - 1] = (err: Error | null, r: unknown) => {
        if (err) {
          for (const code of ['SETTINGS_KEY_NOT_FOUND', 'UNKNOWN_CLIENT']) {
            if (err.message.includes(code)) err.message = code;
          }
        }
        cb(err, r);
      };
      return fn(...args);
    };
  }
}

/**
 * Refills a local limiter by the wall clock. Bottleneck's own local refill restarts its interval
 * from the heartbeat that adds a refill, so every late heartbeat (a busy event loop) loses that
 * much capacity for good: about 4% when heartbeats are 80 ms late. Here each tick adds every
 * refill due since the start, so a late tick only delays refills. (Bottleneck's Redis refill
 * already counts whole intervals.)
 */
function refillByClock(
  limiter: Bottleneck,
  refill: { amount?: number | null; interval?: number | null; max?: number | null },
  everyMs: number,
): () => void {
  const { amount, interval, max } = refill;
  if (!amount || !interval || max === undefined || max === null) return () => {};
  const started = Date.now();
  let added = 0;
  let busy = false;
  const tick = async () => {
    const due = Math.floor((Date.now() - started) / interval) - added;
    if (due <= 0 || busy) return;
    busy = true;
    added += due;
    try {
      const current = (await limiter.currentReservoir()) ?? max;
      const room = Math.min(due * amount, max - current);
      if (room > 0) await limiter.incrementReservoir(room);
    } catch {
      // A stopped limiter: nothing to refill.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** One Bottleneck per limit, local always, clustered too when Redis is configured. */
class Limit {
  readonly local: Bottleneck;
  readonly shared: Bottleneck | undefined;
  readonly stopRefill: () => void;

  constructor(
    settings: (heartbeatMs: number) => Bottleneck.ConstructorOptions,
    id: string,
    connection: Bottleneck.IORedisConnection | undefined,
  ) {
    const {
      reservoirIncreaseAmount: amount,
      reservoirIncreaseInterval: interval,
      reservoirIncreaseMaximum: max,
      ...withoutRefill
    } = settings(50);
    this.local = new Bottleneck(withoutRefill);
    this.stopRefill = refillByClock(this.local, { amount, interval, max }, 50);
    // Each shared heartbeat is a Redis round trip: a little less often.
    this.shared = connection
      ? new Bottleneck({ ...settings(100), id, datastore: 'ioredis', connection, timeout: 3_600_000 })
      : undefined;
    this.shared?.on('error', () => {
      // Surfaced through the failed schedule call; the connection logs Redis trouble once.
    });
  }

  limiter(redis: RedisClient | undefined): Bottleneck {
    return this.shared && redisReady(redis) ? this.shared : this.local;
  }
}

/**
 * The one queue in front of every Claude call. Concurrency and requests per minute, optional
 * input/output tokens per minute, a bounded backlog and priorities. With Redis the limits are
 * shared by all replicas; while Redis is away each replica falls back to its own local limits.
 */
export class ClaudeQueue {
  private readonly requests: Limit;
  private readonly outputTokens: Limit | undefined;
  private readonly inputTokens: Limit | undefined;
  private readonly connection: Bottleneck.IORedisConnection | undefined;
  private waiting = 0;
  private active = 0;

  constructor(private readonly opts: QueueOptions) {
    this.connection = opts.redis ? new RecoveringConnection({ client: opts.redis }) : undefined;
    this.connection?.on('error', () => {});
    // Each limiter's id is a hash tag: Bottleneck's scripts use its eight keys (`b_<id>_…`) together,
    // which a Redis Cluster allows only within one hash slot.
    this.requests = new Limit(
      (hb) => ({ maxConcurrent: opts.maxConcurrent, ...bucket(opts.requestsPerMinute, hb) }),
      `{${opts.id}:requests}`,
      this.connection,
    );
    const tokens = (perMinute: number | undefined, name: string) =>
      perMinute
        ? new Limit((hb) => bucket(perMinute, hb), `{${opts.id}:${name}}`, this.connection)
        : undefined;
    this.outputTokens = tokens(opts.outputTokensPerMinute, 'otpm');
    this.inputTokens = tokens(opts.inputTokensPerMinute, 'itpm');
  }

  /** Requests waiting for a slot (this process). */
  get queued(): number {
    return this.waiting;
  }

  /** Requests already ordered by priority inside the local request limiter. */
  get prioritized(): number {
    return this.requests.local.counts().QUEUED;
  }

  /** Claude calls running now (this process). */
  get running(): number {
    return this.active;
  }

  /** Waits (at most `timeoutMs`) until the shared limiters are connected; local ones need nothing. */
  async ready(timeoutMs: number): Promise<boolean> {
    const shared = [this.requests, this.outputTokens, this.inputTokens].flatMap((l) =>
      l?.shared ? [l.shared] : [],
    );
    if (shared.length === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    const ok = await Promise.race([
      Promise.all(shared.map((b) => b.ready())).then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
    clearTimeout(timer);
    return ok;
  }

  /** Runs `fn` when every limit allows it. Rejects with QueueFullError when the backlog is full. */
  async schedule<T>(job: QueueJob, fn: () => Promise<T>): Promise<T> {
    // Bottleneck starts a job a few ticks after it is submitted: those that free slots will take
    // at once are not a backlog, even if a burst arrives before they have started.
    const freeSlots = Math.max(0, this.opts.maxConcurrent - this.active);
    if (this.waiting - freeSlots >= this.opts.maxQueued) throw new QueueFullError('the Claude queue is full');
    this.waiting++;
    let started = false;
    const queuedAt = performance.now();
    try {
      await this.reserve(this.outputTokens, job.outputTokens, job.priority, this.opts.outputTokensPerMinute);
      await this.reserve(this.inputTokens, job.inputTokens, job.priority, this.opts.inputTokensPerMinute);
      const run = async () => {
        if (job.signal?.aborted) throw new QueueAbortError('abandoned while queued');
        started = true;
        this.waiting--;
        this.active++;
        this.opts.onWait?.((performance.now() - queuedAt) / 1000);
        try {
          return await fn();
        } finally {
          this.active--;
        }
      };
      const scheduled = this.onLimiter(this.requests, { priority: job.priority }, run, () => started);
      if (!job.signal) return await scheduled;
      // Leave the queue at once on abort; if the job starts anyway, `run` refuses it.
      scheduled.catch(() => {});
      return await Promise.race([scheduled, abortion(job.signal)]);
    } finally {
      if (!started) this.waiting--;
    }
  }

  private async reserve(
    limit: Limit | undefined,
    weight: number,
    priority: number,
    capacity?: number,
  ): Promise<void> {
    if (!limit || !capacity) return;
    const w = Math.max(1, Math.min(Math.ceil(weight), capacity));
    await this.onLimiter(
      limit,
      { weight: w, priority },
      async () => {},
      () => false,
    );
  }

  /**
   * Schedules on the shared limiter, or the local one when Redis is away. A Redis failure before
   * the job started moves it to the local limiter; once started, its own result stands.
   */
  private async onLimiter<T>(
    limit: Limit,
    options: Bottleneck.JobOptions,
    fn: () => Promise<T>,
    started: () => boolean,
  ): Promise<T> {
    const limiter = limit.limiter(this.opts.redis);
    if (limiter === limit.local) return limiter.schedule(options, fn);
    const expiration = this.opts.runningExpiryMs;
    const shared = expiration ? { ...options, expiration } : options;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    const wrapped = async () => {
      try {
        outcome = { ok: true, value: await fn() };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    };
    try {
      return await limiter.schedule(shared, wrapped);
    } catch (err) {
      if (outcome) {
        if (outcome.ok) return outcome.value;
        throw outcome.error;
      }
      if (started()) throw err;
      this.opts.log.debug({ err }, 'shared queue unavailable; using the local limiter');
      return limit.local.schedule(options, fn);
    }
  }

  /**
   * Claude said "slow down" (429 retry-after): empty the request bucket so it refills gradually,
   * for every replica. (Not updateSettings: in Bottleneck 2.19.5 it stops the local refill timer.)
   */
  async backOff(): Promise<void> {
    await this.lowerTo(0);
  }

  /** Keeps the bucket no fuller than what Claude says is left (anthropic-ratelimit-requests-remaining). */
  async observeRemaining(remaining: number): Promise<void> {
    await this.lowerTo(remaining);
  }

  private async lowerTo(level: number): Promise<void> {
    const limiter = this.requests.limiter(this.opts.redis);
    try {
      const current = await limiter.currentReservoir();
      if (current !== null && current > level) await limiter.incrementReservoir(level - current);
    } catch {
      // Best effort: a Redis hiccup here only means we do not slow down this time.
    }
  }

  async stop(): Promise<void> {
    const all = [this.requests, this.outputTokens, this.inputTokens].filter((l): l is Limit => !!l);
    await Promise.all(
      all
        .flatMap((l) => [l.local, l.shared].filter((b): b is Bottleneck => !!b))
        .map((b) => b.stop({ dropWaitingJobs: false }).catch(() => {})),
    );
    // After the jobs still waiting have run: they may need refills to start.
    for (const l of all) l.stopRefill();
    await this.connection?.disconnect(false);
  }
}

function abortion(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new QueueAbortError('abandoned while queued'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

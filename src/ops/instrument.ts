import type { ClaudeRequest, ClaudeResult, StreamOptions } from '../claude/client.js';
import { toClaudeError } from '../claude/errors.js';
import { ClaudeQueue, type QueueJob, type QueueOptions } from '../traffic/queue.js';
import type { Metrics } from './metrics.js';
import { costOf, type Price, priceOf } from './prices.js';

type StreamCall = (req: ClaudeRequest, opts: StreamOptions) => Promise<ClaudeResult>;

/**
 * Wraps the Claude call (inside the breaker, so only calls that reach Claude count): requests by
 * model and outcome, time to first token, generation time, tokens and estimated cost.
 */
export function measureClaude(
  metrics: Metrics,
  prices: Readonly<Record<string, Price>>,
  call: StreamCall,
): StreamCall {
  return async (req, opts) => {
    const model = req.model;
    const started = performance.now();
    let first = true;
    const onText = (d: string) => {
      if (first) metrics.firstToken.observe({ model }, (performance.now() - started) / 1000);
      first = false;
      opts.onText(d);
    };
    try {
      const r = await call(req, { ...opts, onText });
      metrics.generation.observe({ model }, (performance.now() - started) / 1000);
      metrics.claudeRequests.inc({ model, outcome: 'ok' });
      const u = r.usage;
      metrics.tokens.inc({ model, type: 'input' }, u.inputTokens);
      metrics.tokens.inc({ model, type: 'output' }, u.outputTokens);
      metrics.tokens.inc({ model, type: 'cache_read' }, u.cacheReadTokens);
      metrics.tokens.inc({ model, type: 'cache_write' }, u.cacheWriteTokens);
      metrics.cost.inc({ model }, costOf(u, priceOf(model, prices)));
      return r;
    } catch (err) {
      metrics.claudeRequests.inc({ model, outcome: toClaudeError(err).kind });
      throw err;
    }
  };
}

/** The Claude queue, also reporting how long each call waited for its slot. */
export class TimedQueue extends ClaudeQueue {
  constructor(
    opts: QueueOptions,
    private readonly onWait: (seconds: number) => void,
  ) {
    super(opts);
  }

  override schedule<T>(job: QueueJob, fn: () => Promise<T>): Promise<T> {
    const queuedAt = performance.now();
    return super.schedule(job, () => {
      this.onWait((performance.now() - queuedAt) / 1000);
      return fn();
    });
  }
}

/** Traffic's events (cache hit or miss, single-flight join) as counters. */
export function countTraffic(metrics: Metrics) {
  return (event: 'cache_hit' | 'cache_miss' | 'joined') => {
    if (event === 'joined') metrics.joins.inc();
    else metrics.cache.inc({ result: event === 'cache_hit' ? 'hit' : 'miss' });
  };
}

/** Slack Web API calls and 429s by method, for the WebClients the bot builds. */
export function countSlackCalls(metrics: Metrics) {
  return {
    call: (method: string, ok: boolean) => metrics.slackCalls.inc({ method, outcome: ok ? 'ok' : 'error' }),
    rateLimited: (method: string) => metrics.slackRateLimited.inc({ method }),
  };
}

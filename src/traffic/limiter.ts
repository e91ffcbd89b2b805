import Bottleneck from 'bottleneck';

export interface LimiterOptions {
  maxConcurrent: number;
  requestsPerMinute: number;
}

/**
 * The one queue in front of Claude. Requests per minute are a token bucket, refilled one request
 * at a time (Anthropic's limits are token buckets, not fixed windows).
 * @see https://docs.anthropic.com/en/api/rate-limits
 */
export function createLimiter(opts: LimiterOptions): Bottleneck {
  const interval = Math.max(1, Math.floor(60_000 / opts.requestsPerMinute));
  return new Bottleneck({
    maxConcurrent: opts.maxConcurrent,
    reservoir: opts.requestsPerMinute,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseMaximum: opts.requestsPerMinute,
  });
}

import CircuitBreaker from 'opossum';
import { ClaudeError } from '../claude/errors.js';
import type { Logger } from '../platform/logger.js';

export interface BreakerOptions {
  /** Longest a call may take before opossum counts it as failed: fits streamed generation. */
  timeoutMs: number;
  /** How long the breaker stays open before it lets one probe through. */
  resetTimeoutMs: number;
  log: Logger;
  onStateChange?: (state: 'open' | 'half_open' | 'closed') => void;
}

/** Errors that say nothing about Claude's health: a user's bad request, a rejected key. */
const NOT_HEALTH = new Set(['invalid_request', 'model_setting', 'too_long', 'auth', 'rate_limited']);

/**
 * Opens on sustained 5xx / 529 / timeouts / broken streams, answers fast while open (users get
 * "Claude is unavailable" at once instead of waiting for timeouts), probes and closes by itself.
 */
export function createBreaker<A extends unknown[], R>(fn: (...args: A) => Promise<R>, opts: BreakerOptions) {
  const breaker = new CircuitBreaker(fn, {
    timeout: opts.timeoutMs,
    resetTimeout: opts.resetTimeoutMs,
    errorThresholdPercentage: 50,
    volumeThreshold: 5,
    rollingCountTimeout: 60_000,
    rollingCountBuckets: 6,
    errorFilter: (err: unknown) => err instanceof ClaudeError && NOT_HEALTH.has(err.kind),
  });
  breaker.on('open', () => {
    opts.log.warn('claude circuit open: answering "unavailable" until a probe succeeds');
    opts.onStateChange?.('open');
  });
  breaker.on('halfOpen', () => {
    opts.log.info('claude circuit half-open: the next request probes');
    opts.onStateChange?.('half_open');
  });
  breaker.on('close', () => {
    opts.log.info('claude circuit closed');
    opts.onStateChange?.('closed');
  });
  return {
    breaker,
    async call(...args: A): Promise<R> {
      try {
        return await breaker.fire(...args);
      } catch (err) {
        if (err instanceof ClaudeError) throw err;
        const code = (err as { code?: string }).code;
        if (code === 'EOPENBREAKER')
          throw new ClaudeError('unavailable', 'Claude circuit open', undefined, { cause: err });
        if (code === 'ETIMEDOUT')
          throw new ClaudeError('timeout', 'Claude call timed out', undefined, { cause: err });
        throw err;
      }
    },
  };
}

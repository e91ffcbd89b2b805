import type { Metrics } from '../platform/metrics.js';
import type { ClaudeRequest, ClaudeResult, StreamOptions } from './client.js';
import { toClaudeError } from './errors.js';
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
      if (u.webSearches) metrics.webSearches.inc({ model }, u.webSearches);
      metrics.cost.inc({ model }, costOf(u, priceOf(model, prices)));
      return r;
    } catch (err) {
      metrics.claudeRequests.inc({ model, outcome: toClaudeError(err).kind });
      throw err;
    }
  };
}

import { type Price, price } from '../config/prices.js';

export type { Price };

import type { ClaudeUsage } from './client.js';

/**
 * List prices by model family, used when CLAUDE_PRICES does not name the model. An estimate for
 * dashboards, not an invoice: check https://www.anthropic.com/pricing and override as needed.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  opus: price(5, 25),
  sonnet: price(3, 15),
  haiku: price(1, 5),
};

/** The price of a model: configured by id, else its family's default, else undefined (no estimate). */
export function priceOf(model: string, configured: Readonly<Record<string, Price>>): Price | undefined {
  const exact = configured[model];
  if (exact) return exact;
  const family = Object.keys(DEFAULT_PRICES).find((f) => model.includes(f));
  return family ? DEFAULT_PRICES[family] : undefined;
}

/**
 * US dollars per web search, on top of tokens ($10 per 1,000 searches).
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#usage-and-pricing
 */
export const WEB_SEARCH_USD = 0.01;

/** Estimated cost of one call in US dollars (0 when the model's price is unknown). */
export function costOf(usage: ClaudeUsage, p: Price | undefined): number {
  if (!p) return 0;
  return (
    (usage.inputTokens * p.input +
      usage.outputTokens * p.output +
      usage.cacheReadTokens * p.cacheRead +
      usage.cacheWriteTokens * p.cacheWrite) /
      1_000_000 +
    (usage.webSearches ?? 0) * WEB_SEARCH_USD
  );
}

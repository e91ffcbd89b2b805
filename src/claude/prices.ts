import type { Price } from '../config/prices.js';
import type { ClaudeUsage } from './client.js';
import { type ModelPrice, modelFamily } from './models.js';

export type { ModelPrice, Price };

/**
 * The price of a model: CLAUDE_PRICES by exact id (one rate, whatever the prompt's length), else
 * its row in the model table (with its long-prompt rate, if any), else undefined (no estimate).
 * An estimate for dashboards, not an invoice: https://www.anthropic.com/pricing
 */
export function priceOf(model: string, configured: Readonly<Record<string, Price>>): ModelPrice | undefined {
  return configured[model] ?? modelFamily(model).price;
}

/**
 * US dollars per web search, on top of tokens ($10 per 1,000 searches).
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/web-search-tool#usage-and-pricing
 */
export const WEB_SEARCH_USD = 0.01;

/**
 * The rate a call is billed at: a prompt (input, cache reads and writes) over the model's
 * long-prompt threshold moves the WHOLE call, output included, to the higher rate. An answer of
 * several calls (a paused search continued) is judged by its largest prompt.
 */
export function rateOf(usage: ClaudeUsage, p: ModelPrice): Price {
  const prompt =
    usage.largestPromptTokens ?? usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  return p.longPrompt && prompt > p.longPrompt.above ? p.longPrompt.rate : p;
}

/**
 * Message Batches bill input and output at half the price.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/batch-processing#pricing
 */
export const BATCH_DISCOUNT = 0.5;

/** Estimated cost of one call in US dollars (0 when the model's price is unknown); a batched call at the batch price. */
export function costOf(usage: ClaudeUsage, p: ModelPrice | undefined): number {
  if (!p) return 0;
  const r = rateOf(usage, p);
  const tokens =
    (usage.inputTokens * r.input +
      usage.outputTokens * r.output +
      usage.cacheReadTokens * r.cacheRead +
      usage.cacheWriteTokens * r.cacheWrite) /
    1_000_000;
  return tokens * (usage.batch ? BATCH_DISCOUNT : 1) + (usage.webSearches ?? 0) * WEB_SEARCH_USD;
}

/** What a batched call saved against the same call through the Messages API. */
export function batchSavingOf(usage: ClaudeUsage, p: ModelPrice | undefined): number {
  if (!usage.batch) return 0;
  return costOf({ ...usage, batch: false }, p) - costOf(usage, p);
}

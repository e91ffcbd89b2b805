import type { ClaudeUsage } from '../claude/client.js';

/** US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Cache reads cost a tenth of input; 5-minute cache writes a quarter more than input. */
function price(input: number, output: number): Price {
  return { input, output, cacheRead: input * 0.1, cacheWrite: input * 1.25 };
}

/**
 * List prices by model family, used when CLAUDE_PRICES does not name the model. An estimate for
 * dashboards, not an invoice: check https://www.anthropic.com/pricing and override as needed.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  opus: price(5, 25),
  sonnet: price(3, 15),
  haiku: price(1, 5),
};

/**
 * Parses CLAUDE_PRICES: `model=input:output[:cacheRead:cacheWrite]`, comma-separated, in US
 * dollars per million tokens, e.g. `claude-sonnet-5-5=3:15,my-gateway-model=1:5`. Returns an
 * error text (naming the bad entry) instead of throwing, for the config schema.
 */
export function parsePrices(text: string): Record<string, Price> | string {
  const out: Record<string, Price> = {};
  for (const entry of text.split(',').map((s) => s.trim())) {
    if (!entry) continue;
    const [model, values] = entry.split('=');
    const nums = (values ?? '').split(':').map(Number);
    if (
      !model ||
      !values ||
      ![2, 4].includes(nums.length) ||
      nums.some((n) => !Number.isFinite(n) || n < 0)
    ) {
      return `expected model=input:output[:cacheRead:cacheWrite] (USD per million tokens), got "${entry}"`;
    }
    const [input = 0, output = 0, cacheRead, cacheWrite] = nums;
    const base = price(input, output);
    out[model.trim()] = {
      ...base,
      cacheRead: cacheRead ?? base.cacheRead,
      cacheWrite: cacheWrite ?? base.cacheWrite,
    };
  }
  return out;
}

/** The price of a model: configured by id, else its family's default, else undefined (no estimate). */
export function priceOf(model: string, configured: Readonly<Record<string, Price>>): Price | undefined {
  const exact = configured[model];
  if (exact) return exact;
  const family = Object.keys(DEFAULT_PRICES).find((f) => model.includes(f));
  return family ? DEFAULT_PRICES[family] : undefined;
}

/** Estimated cost of one call in US dollars (0 when the model's price is unknown). */
export function costOf(usage: ClaudeUsage, p: Price | undefined): number {
  if (!p) return 0;
  return (
    (usage.inputTokens * p.input +
      usage.outputTokens * p.output +
      usage.cacheReadTokens * p.cacheRead +
      usage.cacheWriteTokens * p.cacheWrite) /
    1_000_000
  );
}

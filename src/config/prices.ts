/** US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** Cache reads cost a tenth of input; 5-minute cache writes a quarter more than input. */
export function price(input: number, output: number): Price {
  return { input, output, cacheRead: input * 0.1, cacheWrite: input * 1.25 };
}

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

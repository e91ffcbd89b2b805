/**
 * What each Claude model family accepts and costs, in one table: every request the bot builds and
 * every cost it counts goes through it, so a profile naming a current model never sends a field
 * that model refuses (Anthropic answers those with a 400 on every question).
 *
 * @see https://platform.claude.com/docs/en/about-claude/models/overview
 * @see https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide
 * @see https://platform.claude.com/docs/en/models/haiku-5-5/migration-guide
 * @see https://platform.claude.com/docs/en/about-claude/pricing
 */
import type { ThinkingConfigParam } from '@anthropic-ai/sdk/resources/messages';
import type { Price } from '../config/prices.js';

/** `thinking.type` values of the Messages API (`enabled` is the manual one, with `budget_tokens`). */
export type ThinkingType = 'enabled' | 'adaptive' | 'between_tools' | 'disabled';

/** A price that may move up for long prompts: above `above` prompt tokens the WHOLE request costs `rate`. */
export interface ModelPrice extends Price {
  longPrompt?: { above: number; rate: Price };
}

/** One row of the table. */
export interface ModelFamily {
  /**
   * Model ids this row covers: the longest that an id contains wins (so Bedrock's
   * `us.anthropic.claude-haiku-5-5-v1:0` and Vertex's `claude-haiku-5-5@…` find their row).
   */
  prefix: string;
  /** The `thinking.type` values the model takes; any other answers 400. */
  thinking: readonly ThinkingType[];
  /** Whether the model thinks when the request has no `thinking` field. */
  thinksByDefault: boolean;
  /** Whether a non-default `temperature`, `top_p` or `top_k` is taken. */
  sampling: boolean;
  /** Forced tool use (`tool_choice` `any` or `tool`): always, only with thinking off, or never. */
  forcedToolChoice: 'yes' | 'without_thinking' | 'no';
  /** Whether a request may end with an assistant turn for Claude to continue (a prefill). */
  prefill: boolean;
  /**
   * Where the thinking blocks of an answer may be sent back: anywhere, only with the key (account)
   * that made them, or only to the same model in the same conversation. The bot sends them back
   * only inside one answer (a paused server-tool turn), with the client that made them.
   */
  thinkingReplay: 'any' | 'same_account' | 'same_model_and_conversation';
  /** Tokens this model counts for text the bot's estimate (older tokenizer) counts as one. */
  tokenizerFactor: number;
  /** The largest `max_tokens` the model takes. */
  maxOutputTokens: number;
  contextWindow: number;
  price: ModelPrice;
}

/** A price whose cache rates follow Anthropic's rule: reads a tenth of input, 5-minute writes 1.25×. */
function list(input: number, output: number, cacheRead = input * 0.1): Price {
  return { input, output, cacheRead, cacheWrite: input * 1.25 };
}

/** The rules from Claude Sonnet 5 on (and Opus 4.7+, Haiku 5.5): no manual budgets, no sampling, no prefill. */
const NEW_GENERATION = {
  sampling: false,
  prefill: false,
  thinksByDefault: true,
  // The newer tokenizer counts about 30% more tokens for the same text.
  tokenizerFactor: 1.3,
  maxOutputTokens: 128_000,
  contextWindow: 1_000_000,
} as const;

/** Models before the generation change: everything optional is taken, thinking is off unless asked. */
const OLDER = {
  thinking: ['enabled', 'disabled'],
  thinksByDefault: false,
  sampling: true,
  forcedToolChoice: 'without_thinking',
  prefill: true,
  thinkingReplay: 'any',
  tokenizerFactor: 1,
  maxOutputTokens: 64_000,
  contextWindow: 200_000,
} as const;

/** The table. Prices in US dollars per million tokens. */
export const MODEL_FAMILIES: readonly ModelFamily[] = [
  {
    prefix: 'claude-fable-5',
    ...NEW_GENERATION,
    thinking: ['adaptive'],
    forcedToolChoice: 'no',
    thinkingReplay: 'same_model_and_conversation',
    price: list(10, 50),
  },
  {
    prefix: 'claude-opus-5-5',
    ...NEW_GENERATION,
    // Adaptive thinking is always on.
    thinking: ['adaptive'],
    forcedToolChoice: 'no',
    thinkingReplay: 'same_model_and_conversation',
    price: list(4, 20),
  },
  {
    prefix: 'claude-sonnet-5-5',
    ...NEW_GENERATION,
    // `disabled` answers 400: between_tools is the lowest setting.
    thinking: ['adaptive', 'between_tools'],
    forcedToolChoice: 'no',
    thinkingReplay: 'same_model_and_conversation',
    // Cache reads $0.10 since 2026-10-07 (half Sonnet 5's).
    price: list(2, 10, 0.1),
  },
  {
    prefix: 'claude-sonnet-5',
    ...NEW_GENERATION,
    thinking: ['adaptive', 'disabled'],
    forcedToolChoice: 'without_thinking',
    thinkingReplay: 'same_account',
    price: list(2, 10, 0.2),
  },
  {
    prefix: 'claude-haiku-5-5',
    ...NEW_GENERATION,
    thinking: ['adaptive', 'disabled'],
    forcedToolChoice: 'without_thinking',
    // Its thinking blocks are valid only in the account that made them.
    thinkingReplay: 'same_account',
    price: {
      ...list(0.1, 0.5, 0.01),
      longPrompt: { above: 100_000, rate: list(0.5, 2.5, 0.05) },
    },
  },
  // Opus 4.7 and 4.8: the newer rules, but thinking stays off unless asked.
  ...['claude-opus-4-8', 'claude-opus-4-7'].map(
    (prefix): ModelFamily => ({
      prefix,
      ...NEW_GENERATION,
      thinking: ['adaptive', 'disabled'],
      forcedToolChoice: 'without_thinking',
      thinkingReplay: 'same_account',
      thinksByDefault: false,
      price: list(5, 25),
    }),
  ),
  // 4.6: manual budgets still taken (deprecated), prefill already refused.
  {
    prefix: 'claude-opus-4-6',
    ...OLDER,
    thinking: ['enabled', 'adaptive', 'disabled'],
    prefill: false,
    price: list(5, 25),
  },
  {
    prefix: 'claude-sonnet-4-6',
    ...OLDER,
    thinking: ['enabled', 'adaptive', 'disabled'],
    prefill: false,
    price: list(3, 15),
  },
  { prefix: 'claude-haiku-4-5', ...OLDER, price: list(1, 5) },
];

/** Ids no row names (older or unknown models) are priced by family word, as the bot always did. */
const FAMILY_WORDS: readonly [string, Price][] = [
  ['opus', list(5, 25)],
  ['sonnet', list(3, 15)],
  ['haiku', list(1, 5)],
];

/** What the bot assumes of a model it has no row for: the older rules, no output cap of its own, no price. */
const UNKNOWN: Omit<ModelFamily, 'prefix' | 'price'> = {
  ...OLDER,
  maxOutputTokens: Number.POSITIVE_INFINITY,
  contextWindow: Number.POSITIVE_INFINITY,
};

/** The model's row: the longest prefix the id contains, else the older rules (priced by family word, if any). */
export function modelFamily(model: string): Omit<ModelFamily, 'price'> & { price?: ModelPrice } {
  let best: ModelFamily | undefined;
  for (const f of MODEL_FAMILIES) {
    if (model.includes(f.prefix) && (!best || f.prefix.length > best.prefix.length)) best = f;
  }
  if (best) return best;
  const word = FAMILY_WORDS.find(([w]) => model.includes(w));
  return { ...UNKNOWN, prefix: model, ...(word ? { price: word[1] } : {}) };
}

/** A token estimate of the bot's (made for the older tokenizer) as the model will count it. */
export function modelTokens(model: string, estimate: number): number {
  return Math.ceil(estimate * modelFamily(model).tokenizerFactor);
}

/**
 * A context budget in the model's tokens turned into the bot's estimate units, so a trimmed
 * conversation fits what the model counts.
 */
export function estimateBudget(model: string, modelTokenBudget: number): number {
  return Math.floor(modelTokenBudget / modelFamily(model).tokenizerFactor);
}

/** The `max_tokens` sent: the profile's, at most what the model takes. */
export function maxTokensFor(model: string, wanted: number): number {
  return Math.min(wanted, modelFamily(model).maxOutputTokens);
}

/** How a request would like Claude to think and sample; the table decides what of it is sent. */
export interface RequestWish {
  /** `off`: the least thinking the model allows; a number: a manual budget (taken as adaptive where refused). */
  thinking?: 'off' | 'adaptive' | { budgetTokens: number };
  temperature?: number;
}

/** The fields a request sends for a wish on a model, and the wished settings left out (for one log line). */
export interface RequestFields {
  thinking?: ThinkingConfigParam;
  /** Not in the SDK's types (the newest models refuse it), still taken by older ones. */
  temperature?: number;
  /** Settings of the wish the model does not take: not sent. */
  dropped: string[];
}

/** Manual thinking budgets start here. @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking */
const MIN_THINKING_BUDGET = 1024;

/**
 * Turns a wish into the fields the model takes: a manual budget becomes adaptive thinking where
 * budgets are refused, "off" becomes `between_tools` where `disabled` is, sampling is left out where
 * refused (or while thinking, which requires the default temperature).
 */
export function requestFields(model: string, maxTokens: number, wish: RequestWish = {}): RequestFields {
  const f = modelFamily(model);
  const takes = (t: ThinkingType) => f.thinking.includes(t);
  const out: RequestFields = { dropped: [] };
  const w = wish.thinking;
  if (w === 'off') {
    if (takes('disabled')) {
      if (f.thinksByDefault) out.thinking = { type: 'disabled' };
    } else if (takes('between_tools')) out.thinking = { type: 'between_tools' };
    else out.dropped.push('thinking');
  } else if (w !== undefined) {
    const budget = w === 'adaptive' ? undefined : w.budgetTokens;
    if (budget !== undefined && takes('enabled') && budget >= MIN_THINKING_BUDGET && budget < maxTokens)
      out.thinking = { type: 'enabled', budget_tokens: budget };
    else if (takes('adaptive')) {
      out.thinking = { type: 'adaptive' };
      if (budget !== undefined) out.dropped.push('thinking.budget_tokens');
    } else if (budget === undefined && takes('enabled') && maxTokens > MIN_THINKING_BUDGET)
      out.thinking = { type: 'enabled', budget_tokens: Math.min(maxTokens - 1, 4 * MIN_THINKING_BUDGET) };
    else out.dropped.push('thinking');
  }
  if (wish.temperature !== undefined) {
    const thinking = out.thinking ? out.thinking.type !== 'disabled' : f.thinksByDefault;
    if (f.sampling && !thinking) out.temperature = wish.temperature;
    else out.dropped.push('temperature');
  }
  return out;
}

/** The family words a person may name a model by ("use opus: …"). */
export const MODEL_ALIASES = ['opus', 'sonnet', 'haiku', 'fable'] as const;

/**
 * The model a person's choice names among `allowed` (a profile's `models`, in its order): the id
 * itself, or a family word (`opus`) for the first allowed id of that family. Undefined when none.
 */
export function chooseModel(choice: string, allowed: readonly string[]): string | undefined {
  const c = choice.toLowerCase();
  const exact = allowed.find((id) => id.toLowerCase() === c);
  if (exact) return exact;
  return allowed.find((id) =>
    id
      .toLowerCase()
      .split(/[-.@:_/]/)
      .includes(c),
  );
}

/** Whether a word after "use" names a model at all (a family word, a Claude id, or an allowed id). */
export function looksLikeModel(choice: string, allowed: readonly string[]): boolean {
  const c = choice.toLowerCase();
  return (
    (MODEL_ALIASES as readonly string[]).includes(c) ||
    c.startsWith('claude') ||
    chooseModel(c, allowed) !== undefined
  );
}

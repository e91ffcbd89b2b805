/**
 * What the real Messages API refuses per model, for the fake: the 400 `invalid_request_error`s a
 * request gets when it names a current model with a field that model no longer takes. Written
 * from Anthropic's model pages and migration guides, apart from the bot's own model table
 * (src/claude/models.ts), so a mistake in that table shows up as a refused request in the tests.
 *
 * @see https://platform.claude.com/docs/en/models/sonnet-5-5/migration-guide
 * @see https://platform.claude.com/docs/en/models/haiku-5-5/migration-guide
 */

interface Rules {
  /** `thinking.type` values taken. */
  thinking: readonly string[];
  /** Thinks when the request has no `thinking` field. */
  thinksByDefault: boolean;
  /** Non-default temperature / top_p / top_k taken. */
  sampling: boolean;
  /** Forced tool use (`any` / `tool`) taken at all (with thinking off, where thinking can be off). */
  forcedToolChoice: boolean;
  /** A last assistant turn of plain text taken. */
  prefill: boolean;
  maxOutput: number;
}

/** From Claude Sonnet 5 on (and Opus 4.7+, Haiku 5.5): no budgets, no sampling, no prefill. */
const NEW: Omit<Rules, 'thinking' | 'forcedToolChoice'> = {
  thinksByDefault: true,
  sampling: false,
  prefill: false,
  maxOutput: 128_000,
};

const OLD: Rules = {
  thinking: ['enabled', 'disabled'],
  thinksByDefault: false,
  sampling: true,
  forcedToolChoice: true,
  prefill: true,
  maxOutput: 64_000,
};

/** Longest matching prefix wins. */
const MODELS: ReadonlyArray<[string, Rules]> = [
  ['claude-fable-5', { ...NEW, thinking: ['adaptive'], forcedToolChoice: false }],
  ['claude-opus-5-5', { ...NEW, thinking: ['adaptive'], forcedToolChoice: false }],
  ['claude-sonnet-5-5', { ...NEW, thinking: ['adaptive', 'between_tools'], forcedToolChoice: false }],
  ['claude-sonnet-5', { ...NEW, thinking: ['adaptive', 'disabled'], forcedToolChoice: true }],
  ['claude-haiku-5-5', { ...NEW, thinking: ['adaptive', 'disabled'], forcedToolChoice: true }],
  [
    'claude-opus-4-8',
    { ...NEW, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, thinksByDefault: false },
  ],
  [
    'claude-opus-4-7',
    { ...NEW, thinking: ['adaptive', 'disabled'], forcedToolChoice: true, thinksByDefault: false },
  ],
  ['claude-opus-4-6', { ...OLD, thinking: ['enabled', 'adaptive', 'disabled'], prefill: false }],
  ['claude-sonnet-4-6', { ...OLD, thinking: ['enabled', 'adaptive', 'disabled'], prefill: false }],
  ['claude-haiku-4-5', OLD],
];

function rulesOf(model: string): Rules | undefined {
  let best: [string, Rules] | undefined;
  for (const row of MODELS)
    if (model.startsWith(row[0]) && (!best || row[0].length > best[0].length)) best = row;
  return best?.[1];
}

/** Default values of the sampling parameters: sending them is not "setting" them. */
const SAMPLING_DEFAULTS: Readonly<Record<string, number | undefined>> = {
  temperature: 1,
  top_p: 1,
  top_k: undefined,
};

/**
 * The error message the real API answers a request with when its model refuses one of its fields,
 * or undefined when the model takes them all (or is not one the fake knows rules for).
 */
export function modelRefusal(body: Record<string, unknown>): string | undefined {
  const model = String(body.model);
  const r = rulesOf(model);
  if (!r) return undefined;
  const maxTokens = body.max_tokens;
  if (typeof maxTokens === 'number' && maxTokens > r.maxOutput)
    return `max_tokens: ${maxTokens} > ${r.maxOutput}, which is the maximum allowed number of output tokens for ${model}`;
  const thinking = body.thinking as { type?: unknown; budget_tokens?: unknown } | undefined;
  const type = thinking ? String(thinking.type) : undefined;
  if (type !== undefined && !r.thinking.includes(type)) {
    if (type === 'enabled')
      return 'thinking.type.enabled is not supported for this model. Use thinking.type.adaptive and output_config.effort to control thinking behavior.';
    if (type === 'disabled' && r.thinking.includes('between_tools'))
      return 'thinking.type.disabled is not supported for this model. Use thinking.type.between_tools to turn off up-front thinking.';
    return `thinking.type: Input should be ${r.thinking.map((t) => `'${t}'`).join(' or ')} for this model`;
  }
  if (type === 'enabled') {
    const budget = Number(thinking?.budget_tokens);
    if (!(budget >= 1024))
      return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (typeof maxTokens === 'number' && budget >= maxTokens)
      return '`max_tokens` must be greater than `thinking.budget_tokens`';
  }
  for (const p of ['temperature', 'top_p', 'top_k'] as const) {
    if (body[p] === undefined || body[p] === SAMPLING_DEFAULTS[p]) continue;
    if (!r.sampling)
      return `${p}: This model does not support \`${p}\`. Remove it and steer the output through the prompt.`;
    if (p === 'temperature' && type === 'enabled')
      return '`temperature` may only be set to 1 when thinking is enabled.';
  }
  const choice = (body.tool_choice as { type?: unknown } | undefined)?.type;
  if (choice === 'any' || choice === 'tool') {
    if (!r.forcedToolChoice)
      return 'tool_choice: forced tool use is not supported for this model. Use tool_choice {"type": "auto"}.';
    const thinks = type === undefined ? r.thinksByDefault : type !== 'disabled';
    if (thinks) return 'Thinking may not be enabled when tool_choice forces tool use.';
  }
  if (!r.prefill && endsWithPrefill(body.messages))
    return 'Prefilling assistant messages is not supported for this model.';
  return undefined;
}

/**
 * A last assistant turn of text only is a prefill. One that carries a paused server-tool turn
 * (server_tool_use and its results) is how a `pause_turn` is continued, which every model takes.
 */
function endsWithPrefill(messages: unknown): boolean {
  if (!Array.isArray(messages)) return false;
  const last = messages.at(-1) as { role?: unknown; content?: unknown } | undefined;
  if (last?.role !== 'assistant') return false;
  if (typeof last.content === 'string') return true;
  return Array.isArray(last.content) && last.content.every((b) => (b as { type?: unknown })?.type === 'text');
}

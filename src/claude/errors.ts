import Anthropic from '@anthropic-ai/sdk';

/**
 * What went wrong with a Claude call, in the few kinds a user can act on. Stable strings: they
 * appear in logs and metrics.
 */
export type ClaudeErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'timeout'
  | 'invalid_request'
  | 'model_setting'
  | 'too_long'
  | 'auth'
  | 'unavailable'
  | 'interrupted';

/** A failed Claude call, mapped from the SDK's error classes at the boundary. */
export class ClaudeError extends Error {
  override name = 'ClaudeError';
  constructor(
    readonly kind: ClaudeErrorKind,
    message: string,
    readonly requestId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth another attempt when nothing has been shown to the user yet. */
  get retryable(): boolean {
    return ['rate_limited', 'overloaded', 'unavailable', 'interrupted'].includes(this.kind);
  }

  /** What Claude asked us to wait before trying again (retry-after), if it said. */
  retryAfterMs?: number;
  /** For `model_setting`: the request field the model refused (`max_tokens`, `thinking.type.disabled`…). */
  setting?: string;
  /** The model the request named. */
  model?: string;
}

/**
 * A 400 that names a setting the model refuses, as Anthropic words them: the field's path first
 * (`max_tokens: 128000 > 64000…`, `thinking.type.enabled is not supported…`), or a sentence for
 * a prefill and for forced tool use while thinking. Undefined for any other bad request.
 */
export function refusedSetting(message: string): string | undefined {
  const text = message.trim();
  if (/prefill/i.test(text)) return 'prefill';
  if (/tool_choice forces tool use/i.test(text)) return 'tool_choice';
  const m = /^(max_tokens|temperature|top_p|top_k|tool_choice|thinking)((?:\.[a-z_]+){0,3})\b/.exec(text);
  return m ? `${m[1]}${m[2]}` : undefined;
}

/** Maps anything thrown by the SDK (or our timers) to a ClaudeError; `model` is the one the request named. */
export function toClaudeError(err: unknown, model?: string): ClaudeError {
  if (err instanceof ClaudeError) return err;
  const requestId = err instanceof Anthropic.APIError ? (err.requestID ?? undefined) : undefined;
  const wrap = (kind: ClaudeErrorKind, message: string) =>
    new ClaudeError(kind, message, requestId, { cause: err });
  if (err instanceof Anthropic.APIConnectionTimeoutError)
    return wrap('timeout', 'Claude did not answer in time');
  if (err instanceof Anthropic.RateLimitError || err instanceof Anthropic.OverloadedError) {
    const e =
      err instanceof Anthropic.RateLimitError
        ? wrap('rate_limited', 'Claude rate limit reached')
        : wrap('overloaded', 'Claude is overloaded');
    const after = Number(err.headers?.get('retry-after'));
    if (Number.isFinite(after) && after >= 0) e.retryAfterMs = after * 1000;
    return e;
  }
  if (err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError) {
    return wrap('auth', 'Claude rejected the API key');
  }
  if (err instanceof Anthropic.BadRequestError || err instanceof Anthropic.ContentTooLargeError) {
    const text = err instanceof Error ? err.message : '';
    const apiMessage = (err.error as { error?: { message?: string } } | undefined)?.error?.message;
    const setting = err instanceof Anthropic.BadRequestError ? refusedSetting(apiMessage ?? '') : undefined;
    if (setting) {
      const e = wrap('model_setting', `${model ?? 'the model'} does not accept the request's ${setting}`);
      e.setting = setting;
      e.model = model;
      return e;
    }
    return /too long|too large|maximum context/i.test(text) || err instanceof Anthropic.ContentTooLargeError
      ? wrap('too_long', 'The conversation is too long for Claude')
      : wrap('invalid_request', 'Claude could not process this request');
  }
  if (err instanceof Anthropic.NotFoundError)
    return wrap('invalid_request', 'Claude does not know this model');
  if (err instanceof Anthropic.InternalServerError) return wrap('unavailable', 'Claude is unavailable');
  if (err instanceof Anthropic.APIConnectionError) return wrap('unavailable', 'Could not reach Claude');
  if (err instanceof Anthropic.APIError) {
    // An SSE `error` event mid-stream arrives as a plain APIError without status.
    const type = (err as { type?: string }).type ?? (err.error as { error?: { type?: string } })?.error?.type;
    if (type === 'overloaded_error') return wrap('overloaded', 'Claude is overloaded');
    if (type === 'rate_limit_error') return wrap('rate_limited', 'Claude rate limit reached');
    return wrap('interrupted', 'The answer from Claude broke off');
  }
  return wrap('interrupted', 'The answer from Claude broke off');
}

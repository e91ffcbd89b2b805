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

/** A failed Claude call, mapped from the SDK's typed errors at the boundary. */
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

/**
 * The typed fields of the SDK's errors (`APIError`: `status`, `headers`, `requestID`, the API's
 * `error.type`; `name` for those without a status), read as fields rather than with `instanceof`,
 * so this module does not load the SDK (src/claude/client.ts loads it with the first question) and
 * the start-up check (a plain fetch) is classified by the same table.
 * @see https://docs.anthropic.com/en/api/errors
 */
interface ApiErrorFields {
  status?: unknown;
  headers?: { get(name: string): string | null } | undefined;
  requestID?: unknown;
  name?: unknown;
  type?: unknown;
  error?: { error?: { type?: unknown; message?: unknown } } | undefined;
}

/** Maps anything thrown by the SDK (or our timers) to a ClaudeError; `model` is the one the request named. */
export function toClaudeError(err: unknown, model?: string): ClaudeError {
  if (err instanceof ClaudeError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as ApiErrorFields;
  const requestId = typeof e.requestID === 'string' ? e.requestID : undefined;
  const wrap = (kind: ClaudeErrorKind, message: string) =>
    new ClaudeError(kind, message, requestId, { cause: err });
  // The SDK's class for each status (APIError.generate): 429 RateLimitError, 529 OverloadedError,
  // 401 / 403 Authentication / PermissionDenied, 400 BadRequest, 413 ContentTooLarge, 404
  // NotFound, any other 5xx InternalServerError.
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) {
    if (e.name === 'APIConnectionTimeoutError') return wrap('timeout', 'Claude did not answer in time');
    if (e.name === 'APIConnectionError') return wrap('unavailable', 'Could not reach Claude');
  }
  if (status === 429 || status === 529) {
    const limited =
      status === 429
        ? wrap('rate_limited', 'Claude rate limit reached')
        : wrap('overloaded', 'Claude is overloaded');
    const after = Number(e.headers?.get('retry-after'));
    if (Number.isFinite(after) && after >= 0) limited.retryAfterMs = after * 1000;
    return limited;
  }
  if (status === 401 || status === 403) return wrap('auth', 'Claude rejected the API key');
  if (status === 400 || status === 413) {
    const text = err instanceof Error ? err.message : '';
    const apiMessage = e.error?.error?.message;
    const setting =
      status === 400 ? refusedSetting(typeof apiMessage === 'string' ? apiMessage : '') : undefined;
    if (setting) {
      const refused = wrap(
        'model_setting',
        `${model ?? 'the model'} does not accept the request's ${setting}`,
      );
      refused.setting = setting;
      refused.model = model;
      return refused;
    }
    return /too long|too large|maximum context/i.test(text) || status === 413
      ? wrap('too_long', 'The conversation is too long for Claude')
      : wrap('invalid_request', 'Claude could not process this request');
  }
  if (status === 404) return wrap('invalid_request', 'Claude does not know this model');
  if (status !== undefined && status >= 500) return wrap('unavailable', 'Claude is unavailable');
  // Any other status, and an SSE `error` event mid-stream (an APIError without status): by the
  // API's error type.
  const type = e.type ?? e.error?.error?.type;
  if (type === 'overloaded_error') return wrap('overloaded', 'Claude is overloaded');
  if (type === 'rate_limit_error') return wrap('rate_limited', 'Claude rate limit reached');
  return wrap('interrupted', 'The answer from Claude broke off');
}

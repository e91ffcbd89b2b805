import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { refusedSetting, toClaudeError } from '../../../src/claude/errors.js';

test('a 400 naming a model setting is a model_setting error with the field and the model; others stay invalid_request', () => {
  assert.equal(
    refusedSetting(
      'max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5',
    ),
    'max_tokens',
  );
  assert.equal(
    refusedSetting('thinking.type.enabled is not supported for this model. Use …'),
    'thinking.type.enabled',
  );
  assert.equal(refusedSetting('temperature: This model does not support `temperature`.'), 'temperature');
  assert.equal(refusedSetting('Prefilling assistant messages is not supported for this model.'), 'prefill');
  assert.equal(
    refusedSetting('Thinking may not be enabled when tool_choice forces tool use.'),
    'tool_choice',
  );
  assert.equal(refusedSetting('messages.0.content.1: image exceeds 5 MB maximum'), undefined);

  const bad = (message: string) =>
    new Anthropic.BadRequestError(
      400,
      { type: 'error', error: { type: 'invalid_request_error', message } },
      message,
      new Headers(),
    );
  const e = toClaudeError(bad('top_k: This model does not support `top_k`.'), 'claude-haiku-5-5');
  assert.equal(e.kind, 'model_setting');
  assert.equal(e.setting, 'top_k');
  assert.equal(e.model, 'claude-haiku-5-5');
  assert.equal(e.retryable, false);
  assert.equal(
    toClaudeError(bad('messages: roles must alternate'), 'claude-haiku-5-5').kind,
    'invalid_request',
  );
});

test("every error the SDK throws maps to the same kind by its typed fields as by its class (the SDK's own table of statuses)", () => {
  const headers = new Headers({ 'retry-after': '7', 'request-id': 'req_1' });
  const body = (type: string, message = 'm') => ({ type: 'error', error: { type, message } });
  // APIError.generate is how the SDK makes the error of a response: one class per status.
  const made = (status: number, type = 'api_error', message?: string) =>
    Anthropic.APIError.generate(status, body(type, message), undefined, headers);
  const cases: Array<[string, unknown, string]> = [
    ['400', made(400, 'invalid_request_error', 'messages: roles must alternate'), 'invalid_request'],
    ['400 too long', made(400, 'invalid_request_error', 'prompt is too long: 300000 tokens'), 'too_long'],
    ['400 setting', made(400, 'invalid_request_error', 'top_k: not supported'), 'model_setting'],
    ['401', made(401, 'authentication_error'), 'auth'],
    ['402', made(402, 'billing_error'), 'interrupted'],
    ['403', made(403, 'permission_error'), 'auth'],
    ['404', made(404, 'not_found_error'), 'invalid_request'],
    ['408', made(408, 'timeout_error'), 'interrupted'],
    ['413', made(413, 'request_too_large'), 'too_long'],
    ['429', made(429, 'rate_limit_error'), 'rate_limited'],
    ['500', made(500), 'unavailable'],
    ['502', made(502), 'unavailable'],
    ['503', made(503), 'unavailable'],
    ['504', made(504), 'unavailable'],
    ['529', made(529, 'overloaded_error'), 'overloaded'],
    ['connection', new Anthropic.APIConnectionError({ cause: new Error('fetch failed') }), 'unavailable'],
    ['timeout', new Anthropic.APIConnectionTimeoutError(), 'timeout'],
    ['abort', new Anthropic.APIUserAbortError(), 'interrupted'],
    // An SSE `error` event mid-stream: an APIError without status, with the API's error type.
    [
      'SSE overloaded',
      new Anthropic.APIError(undefined, body('overloaded_error'), undefined, headers),
      'overloaded',
    ],
    [
      'SSE rate limit',
      new Anthropic.APIError(undefined, body('rate_limit_error'), undefined, headers),
      'rate_limited',
    ],
    ['SSE other', new Anthropic.APIError(undefined, body('api_error'), undefined, headers), 'interrupted'],
    ['not the SDK', new TypeError('x is undefined'), 'interrupted'],
  ];
  for (const [what, err, kind] of cases) assert.equal(toClaudeError(err, 'claude-x').kind, kind, what);
  const limited = toClaudeError(made(429, 'rate_limit_error'));
  assert.equal(limited.retryAfterMs, 7000);
  assert.equal(limited.requestId, 'req_1');
  assert.equal(toClaudeError(made(529, 'overloaded_error')).retryAfterMs, 7000);
});

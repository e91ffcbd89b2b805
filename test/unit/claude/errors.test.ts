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

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateBudget, maxTokensFor, modelTokens, requestFields } from '../../../src/claude/models.js';

test('a manual thinking budget becomes adaptive thinking on models that refuse budgets', () => {
  const wish = { thinking: { budgetTokens: 4000 } } as const;
  assert.deepEqual(requestFields('claude-haiku-4-5', 8000, wish), {
    thinking: { type: 'enabled', budget_tokens: 4000 },
    dropped: [],
  });
  for (const model of ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-5-5', 'claude-sonnet-5']) {
    assert.deepEqual(
      requestFields(model, 8000, wish),
      { thinking: { type: 'adaptive' }, dropped: ['thinking.budget_tokens'] },
      model,
    );
  }
});

test('"thinking off" is the least each model allows: disabled, between_tools, or nothing', () => {
  assert.deepEqual(requestFields('claude-haiku-4-5', 8000, { thinking: 'off' }), { dropped: [] });
  assert.deepEqual(requestFields('claude-haiku-5-5', 8000, { thinking: 'off' }).thinking, {
    type: 'disabled',
  });
  assert.deepEqual(requestFields('claude-sonnet-5-5', 8000, { thinking: 'off' }).thinking, {
    type: 'between_tools',
  });
  assert.deepEqual(requestFields('claude-opus-5-5', 8000, { thinking: 'off' }), { dropped: ['thinking'] });
});

test('sampling is sent only to models that take it, and never while they think', () => {
  assert.deepEqual(requestFields('claude-haiku-4-5', 8000, { temperature: 0.2 }), {
    temperature: 0.2,
    dropped: [],
  });
  for (const model of ['claude-sonnet-5-5', 'claude-opus-5-5', 'claude-haiku-5-5', 'claude-fable-5-1']) {
    assert.deepEqual(requestFields(model, 8000, { temperature: 0.2 }), { dropped: ['temperature'] }, model);
  }
  assert.deepEqual(
    requestFields('claude-haiku-4-5', 8000, { temperature: 0.2, thinking: { budgetTokens: 2000 } }).dropped,
    ['temperature'],
  );
  assert.deepEqual(requestFields('claude-sonnet-5-5', 8000), { dropped: [] }, 'no wish, nothing sent');
});

test('max_tokens is capped at what the model takes; unknown models are not capped', () => {
  assert.equal(maxTokensFor('claude-haiku-4-5', 100_000), 64_000);
  assert.equal(maxTokensFor('claude-sonnet-5-5', 100_000), 100_000);
  assert.equal(maxTokensFor('my-gateway-model', 100_000), 100_000);
  // Cloud platforms' ids find the same row.
  assert.equal(maxTokensFor('us.anthropic.claude-haiku-4-5-20251001-v1:0', 100_000), 64_000);
  assert.equal(modelTokens('claude-haiku-5-5@20261007', 1000), 1300);
});

test('the newer tokenizer counts about 30% more: budgets in model tokens shrink in estimate units', () => {
  assert.equal(modelTokens('claude-haiku-5-5', 1000), 1300);
  assert.equal(modelTokens('claude-haiku-4-5', 1000), 1000);
  assert.equal(estimateBudget('claude-sonnet-5-5', 60_000), 46_153);
  assert.equal(estimateBudget('claude-haiku-4-5', 60_000), 60_000);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';

/** Sends one request through the real SDK; resolves with the API's error message, or undefined when answered. */
async function refusal(client: Anthropic, body: Record<string, unknown>): Promise<string | undefined> {
  try {
    await client.messages
      .stream({
        max_tokens: 2000,
        messages: [{ role: 'user', content: 'Hello' }],
        ...body,
      } as unknown as Anthropic.MessageStreamParams)
      .finalMessage();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof Anthropic.BadRequestError, `a 400, got ${String(err)}`);
    const e = err.error as { type?: string; error?: { type?: string; message?: string } };
    assert.equal(e.error?.type, 'invalid_request_error');
    return e.error?.message;
  }
}

test('the fake refuses what each current model refuses, as the real API words it', async (t) => {
  const fake = await startFakeAnthropic();
  t.after(() => fake.close());
  const client = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 });
  const ask = (body: Record<string, unknown>) => refusal(client, body);
  const budget = { thinking: { type: 'enabled', budget_tokens: 1500 } };

  for (const model of [
    'claude-sonnet-5-5',
    'claude-opus-5-5',
    'claude-haiku-5-5',
    'claude-sonnet-5',
    'claude-fable-5-1',
  ]) {
    assert.match((await ask({ model, ...budget })) ?? '', /^thinking\.type\.enabled is not supported/, model);
    assert.match(
      (await ask({ model, temperature: 0.2 })) ?? '',
      /^temperature: This model does not support/,
      model,
    );
    assert.match((await ask({ model, top_p: 0.9 })) ?? '', /^top_p:/, model);
    assert.match((await ask({ model, top_k: 5 })) ?? '', /^top_k:/, model);
    const prefill = [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi' },
    ];
    assert.equal(
      await ask({ model, messages: prefill }),
      'Prefilling assistant messages is not supported for this model.',
    );
    assert.equal(await ask({ model }), undefined, `${model}: a plain request is answered`);
    assert.equal(
      await ask({ model, temperature: 1 }),
      undefined,
      `${model}: the default temperature is taken`,
    );
  }
  // Sonnet 5.5: only adaptive and between_tools; forced tool use is an error.
  assert.match(
    (await ask({ model: 'claude-sonnet-5-5', thinking: { type: 'disabled' } })) ?? '',
    /^thinking\.type\.disabled is not supported.*between_tools/,
  );
  assert.equal(await ask({ model: 'claude-sonnet-5-5', thinking: { type: 'between_tools' } }), undefined);
  const tool = { name: 'lookup', input_schema: { type: 'object', properties: {} } };
  assert.match(
    (await ask({ model: 'claude-sonnet-5-5', tools: [tool], tool_choice: { type: 'any' } })) ?? '',
    /^tool_choice: forced tool use is not supported/,
  );
  // Haiku 5.5 thinks by default: forcing a tool needs thinking off.
  assert.equal(
    await ask({ model: 'claude-haiku-5-5', tools: [tool], tool_choice: { type: 'any' } }),
    'Thinking may not be enabled when tool_choice forces tool use.',
  );
  assert.equal(
    await ask({
      model: 'claude-haiku-5-5',
      tools: [tool],
      tool_choice: { type: 'any' },
      thinking: { type: 'disabled' },
    }),
    undefined,
  );
  // Haiku 4.5 takes all of it, but not more output than it can write.
  assert.equal(await ask({ model: 'claude-haiku-4-5', ...budget, temperature: 1, top_k: 5 }), undefined);
  assert.equal(
    await ask({ model: 'claude-haiku-4-5', max_tokens: 100_000 }),
    'max_tokens: 100000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5',
  );
  assert.equal(fake.requests.length, 5 * 2 + 3, 'only the answered requests are recorded');
});

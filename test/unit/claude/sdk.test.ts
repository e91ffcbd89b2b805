import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazySdk } from '../../../src/claude/sdk.js';
import { createLogger } from '../../../src/platform/logger.js';

test('the SDK client is built once per key: a rotated key is used from the next call on', async () => {
  const keys: string[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    const h = new Headers(init?.headers);
    // The SDK sends the key as x-api-key, or as a bearer token where it is told to.
    keys.push(h.get('x-api-key') ?? h.get('authorization')?.replace(/^Bearer /, '') ?? '');
    return Response.json({
      type: 'model',
      id: 'claude-x',
      display_name: 'X',
      created_at: '2026-01-01T00:00:00Z',
    });
  }) as typeof globalThis.fetch;
  let key = 'key-one';
  const sdk = new LazySdk({
    apiKey: () => key,
    baseUrl: 'http://127.0.0.1:9',
    timeoutMs: 1000,
    maxRetries: 0,
    log: createLogger({ level: 'silent' }),
    fetch,
  });
  const first = await sdk.client();
  assert.equal(await sdk.client(), first, 'the same key: the same client');
  await first.models.retrieve('claude-x');
  key = 'key-two';
  const second = await sdk.client();
  assert.notEqual(second, first);
  await second.models.retrieve('claude-x');
  assert.deepEqual(keys, ['key-one', 'key-two']);
});

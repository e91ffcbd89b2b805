import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';

/** A batch's request_counts: these, and 0 for the others. */
const requestCounts = (
  counts: Partial<Record<'processing' | 'succeeded' | 'errored' | 'canceled' | 'expired', number>>,
) => ({
  processing: 0,
  succeeded: 0,
  errored: 0,
  canceled: 0,
  expired: 0,
  ...counts,
});

const params = (text: string) => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 100,
  messages: [{ role: 'user' as const, content: text }],
});

test('fake Message Batches: documented shapes, custom_id rules, results only once ended, errored and canceled results', async (t) => {
  const claude = await startFakeAnthropic({ batchDelayMs: undefined });
  t.after(() => claude.close());
  const sdk = new Anthropic({ apiKey: 'k', baseURL: claude.url, maxRetries: 0 });
  const bad = (requests: unknown) =>
    assert.rejects(
      sdk.messages.batches.create({ requests } as never),
      (e: unknown) => e instanceof Anthropic.BadRequestError,
    );
  await bad([]);
  await bad([{ custom_id: 'has space', params: params('a') }]);
  await bad([{ custom_id: 'x'.repeat(65), params: params('a') }]);
  await bad([
    { custom_id: 'same', params: params('a') },
    { custom_id: 'same', params: params('b') },
  ]);
  const created = await sdk.messages.batches.create({
    requests: [
      { custom_id: 'ok-1', params: params('Summarize: we ship Friday.') },
      {
        custom_id: 'no_max',
        params: { model: 'claude-sonnet-5-5', messages: [{ role: 'user', content: 'x' }] } as never,
      },
    ],
  });
  assert.match(created.id, /^msgbatch_/);
  assert.equal(created.type, 'message_batch');
  assert.equal(created.processing_status, 'in_progress');
  assert.deepEqual(created.request_counts, requestCounts({ processing: 2 }));
  assert.equal(created.results_url, null);
  assert.equal(Date.parse(created.expires_at) - Date.parse(created.created_at), 24 * 3600_000);
  await assert.rejects(sdk.messages.batches.results(created.id), /results_url|has not ended/);
  assert.equal((await sdk.messages.batches.retrieve(created.id)).processing_status, 'in_progress');
  await claude.batches.complete(created.id);
  const ended = await sdk.messages.batches.retrieve(created.id);
  assert.equal(ended.processing_status, 'ended');
  assert.deepEqual(ended.request_counts, requestCounts({ succeeded: 1, errored: 1 }));
  assert.ok(ended.results_url?.endsWith(`/v1/messages/batches/${created.id}/results`));
  const results = new Map<string, Anthropic.Messages.MessageBatchResult>();
  for await (const r of await sdk.messages.batches.results(created.id)) results.set(r.custom_id, r.result);
  const ok = results.get('ok-1');
  assert.equal(ok?.type, 'succeeded');
  if (ok?.type === 'succeeded') assert.ok(ok.message.usage.input_tokens > 0);
  const errored = results.get('no_max');
  assert.equal(errored?.type, 'errored');
  if (errored?.type === 'errored') assert.equal(errored.error.error.type, 'invalid_request_error');

  // Cancel: canceling, then ended with the request canceled.
  const second = await sdk.messages.batches.create({
    requests: [{ custom_id: 'c', params: params('later') }],
  });
  assert.equal((await sdk.messages.batches.cancel(second.id)).processing_status, 'canceling');
  const after = await sdk.messages.batches.retrieve(second.id);
  assert.equal(after.processing_status, 'ended');
  assert.equal(after.request_counts.canceled, 1);
  await assert.rejects(
    sdk.messages.batches.retrieve('msgbatch_nope'),
    (e: unknown) => e instanceof Anthropic.NotFoundError,
  );
});

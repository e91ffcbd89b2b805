import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import {
  type FakeAnthropic,
  type FakeReply,
  startFakeAnthropic,
} from '../../sandbox/claude/fake-anthropic.js';
import {
  type MessagesRequestBody,
  OFFLINE_MODEL_NOTE,
  offlineReply,
} from '../../sandbox/claude/offline-model.js';
import { until } from '../support/until.js';

const MODEL = 'claude-test-model';
const TEXT =
  'Hello from the fake! Here is a longer answer with **Markdown**, emoji 🎉 and enough text to span many chunks.';

function params(stream: true, question?: string): Anthropic.MessageCreateParamsStreaming;
function params(stream: false, question?: string): Anthropic.MessageCreateParamsNonStreaming;
function params(stream: boolean, question = 'What is the weather like?'): Anthropic.MessageCreateParams {
  return {
    model: MODEL,
    max_tokens: 256,
    system: 'You are a test bot.',
    messages: [{ role: 'user', content: question }],
    stream,
  };
}

/** What the fake sees: the SDK's params after a JSON round trip. */
const wireBody = (p: Anthropic.MessageCreateParams): MessagesRequestBody =>
  JSON.parse(JSON.stringify(p)) as MessagesRequestBody;

/** Collects streamed text, then returns it with the outcome of finalMessage(). */
async function streamOutcome(client: Anthropic, question?: string) {
  const stream = client.messages.stream(params(true, question));
  let text = '';
  stream.on('text', (delta) => {
    text += delta;
  });
  try {
    const message = await stream.finalMessage();
    return { text, message, error: undefined };
  } catch (error) {
    return { text, message: undefined, error };
  }
}

describe('fake Anthropic server with the real SDK', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;

  beforeEach(async () => {
    fake = await startFakeAnthropic();
    client = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 });
  });

  // Each test owns its fake; closing here also proves close() copes with whatever the test left open.
  const closeFake = async () => fake.close();

  /** Streams TEXT cut by `fault`: the text up to `chars` arrives, then the outcome's error. */
  async function cutShort(fault: FakeReply, chars: number, sdk = client) {
    fake.enqueue({ text: TEXT, chunkSize: 5, ...fault });
    const { text, error } = await streamOutcome(sdk);
    assert.equal(text, TEXT.slice(0, chars));
    return error;
  }

  test('streams scripted text that reassembles exactly, with stop_reason and usage', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: TEXT, chunkSize: 7 });
    const { text, message, error } = await streamOutcome(client);
    assert.equal(error, undefined);
    assert.equal(text, TEXT);
    assert.ok(message);
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, TEXT);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.model, MODEL);
    assert.ok(message.usage.input_tokens > 0);
    assert.ok(message.usage.output_tokens > 1);
    assert.equal(message.usage.cache_read_input_tokens, 0);

    const [req] = fake.requests;
    assert.ok(req);
    assert.equal(req.path, '/v1/messages');
    assert.equal(req.body.stream, true);
    assert.equal(req.body.model, MODEL);
    assert.equal(req.body.max_tokens, 256);
    // SDK 1.14 sends the API key as a bearer token; the fake records it either way.
    assert.equal(req.headers.authorization ?? `Bearer ${req.headers['x-api-key']}`, 'Bearer test');
  });

  test('sends the SSE events in the real order', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: 'abcdefghij', chunkSize: 4, stopReason: 'max_tokens' });
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test' },
      body: JSON.stringify(params(true)),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('request-id'), 'req_fake_1');
    const raw = await res.text();
    const events = [...raw.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(events, [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const deltas = [...raw.matchAll(/^data: (.*)$/gm)]
      .map((m) => JSON.parse(m[1] ?? '') as { type: string; delta?: { text?: string; stop_reason?: string } })
      .filter((e) => e.type === 'content_block_delta' || e.type === 'message_delta');
    assert.deepEqual(
      deltas.map((d) => d.delta?.text ?? d.delta?.stop_reason),
      ['abcd', 'efgh', 'ij', 'max_tokens'],
    );
    assert.equal(fake.requests[0]?.headers['x-api-key'], 'test');
  });

  test('answers non-streaming requests with a JSON Message', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: 'Plain answer.', stopReason: 'max_tokens' });
    const { data, request_id } = await client.messages.create(params(false)).withResponse();
    assert.equal(request_id, 'req_fake_1');
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.match(data.id, /^msg_fake_/);
    assert.deepEqual(data.content, [{ type: 'text', text: 'Plain answer.', citations: null }]);
    assert.equal(data.stop_reason, 'max_tokens');
    assert.ok(data.usage.input_tokens > 0);
    assert.equal(data.usage.output_tokens, Math.ceil('Plain answer.'.length / 4));
    assert.equal(fake.requests[0]?.body.stream, false);
  });

  test('reports a refusal with stop_details', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: 'I cannot help with that.', stopReason: 'refusal' });
    const { message } = await streamOutcome(client);
    assert.equal(message?.stop_reason, 'refusal');
    assert.equal(message?.stop_details?.type, 'refusal');
  });

  test('429 with retry-after maps to RateLimitError', async (t) => {
    t.after(closeFake);
    fake.enqueue({
      status: 429,
      headers: { 'retry-after': '7', 'anthropic-ratelimit-requests-remaining': '0' },
    });
    const err = await client.messages.create(params(false)).then(
      () => assert.fail('expected a rate limit error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof Anthropic.RateLimitError);
    assert.equal(err.status, 429);
    assert.equal(err.type, 'rate_limit_error');
    assert.equal(err.requestID, 'req_fake_1');
    assert.equal(err.headers.get('retry-after'), '7');
    assert.equal(err.headers.get('anthropic-ratelimit-requests-remaining'), '0');
  });

  test('with maxRetries 1 the SDK retries a 429 and consumes the next queued reply', async (t) => {
    t.after(closeFake);
    const retrying = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 1 });
    fake.enqueue({ status: 429, headers: { 'retry-after': '0.01' } }, { text: 'second time lucky' });
    const { text, error } = await streamOutcome(retrying);
    assert.equal(error, undefined);
    assert.equal(text, 'second time lucky');
    assert.equal(fake.requests.length, 2);
    assert.equal(fake.requests[1]?.headers['x-stainless-retry-count'], '1');
  });

  test('529 maps to OverloadedError', async (t) => {
    t.after(closeFake);
    fake.enqueue({ status: 529 });
    const { error } = await streamOutcome(client);
    assert.ok(error instanceof Anthropic.OverloadedError);
    assert.ok(error instanceof Anthropic.InternalServerError);
    assert.equal(error.status, 529);
    assert.equal(error.type, 'overloaded_error');
    assert.equal(error.apiMessage, 'Overloaded');
  });

  test('other statuses carry the matching error type and custom message', async (t) => {
    t.after(closeFake);
    fake.enqueue(
      { status: 500 },
      { status: 413 },
      { status: 400, errorMessage: 'messages: bad' },
      { status: 401, errorMessage: 'nope' },
    );
    const outcomes: unknown[] = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(await client.messages.create(params(false)).catch((e: unknown) => e));
    const [e500, e413, e400, e401] = outcomes;
    assert.ok(e500 instanceof Anthropic.InternalServerError);
    assert.equal(e500.type, 'api_error');
    assert.ok(e413 instanceof Anthropic.ContentTooLargeError);
    assert.equal((e413.error as { error: { type: string } }).error.type, 'request_too_large');
    assert.ok(e400 instanceof Anthropic.BadRequestError);
    assert.equal(e400.apiMessage, 'messages: bad');
    assert.ok(e401 instanceof Anthropic.AuthenticationError);
    assert.equal(e401.type, 'authentication_error');
  });

  test('the key "invalid-key" is answered with 401 without consuming the queue', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: 'kept for later' });
    const bad = new Anthropic({ apiKey: 'invalid-key', baseURL: fake.url, maxRetries: 0 });
    await assert.rejects(bad.messages.create(params(false)), Anthropic.AuthenticationError);
    const ok = await client.messages.create(params(false));
    assert.equal(ok.content[0]?.type === 'text' && ok.content[0].text, 'kept for later');
    assert.equal(fake.requests.length, 2);
  });

  test('sseErrorAfterChars: the stream rejects with an APIError after partial text', async (t) => {
    t.after(closeFake);
    const error = await cutShort({ sseErrorAfterChars: 12 }, 12);
    assert.ok(error instanceof Anthropic.APIError);
    assert.equal(error.status, undefined);
    assert.equal(error.type, 'overloaded_error');
  });

  test('breakAfterChars: the stream rejects with a connection error after partial text', async (t) => {
    t.after(closeFake);
    const error = await cutShort({ breakAfterChars: 10 }, 10);
    // Mid-body failures come from fetch, which the SDK wraps in a plain AnthropicError (not an APIError).
    assert.ok(error instanceof Anthropic.AnthropicError);
    assert.ok(!(error instanceof Anthropic.APIError));
    assert.match(String(error.message), /terminated|socket|closed|reset/i);
    // The server survives the reset and keeps answering.
    fake.enqueue({ text: 'still alive' });
    assert.equal((await streamOutcome(client)).text, 'still alive');
  });

  test('malformedAfterChars: the stream rejects after partial text', async (t) => {
    t.after(closeFake);
    // The SDK logs the unparsable line before throwing; keep the test output clean.
    const quiet = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0, logLevel: 'off' });
    const error = await cutShort({ malformedAfterChars: 5 }, 5, quiet);
    assert.ok(error instanceof Anthropic.AnthropicError);
    assert.match(String(error.message), /JSON/);
  });

  test('non-streaming faults: sseError becomes 529, break and malformed fail the call', async (t) => {
    t.after(closeFake);
    fake.enqueue(
      { text: TEXT, sseErrorAfterChars: 3 },
      { text: TEXT, breakAfterChars: 3 },
      { text: TEXT, malformedAfterChars: 3 },
    );
    await assert.rejects(client.messages.create(params(false)), Anthropic.OverloadedError);
    // The SDK does not wrap failures while reading a JSON body: fetch's and JSON.parse's errors surface as-is.
    await assert.rejects(client.messages.create(params(false)), /terminated/);
    await assert.rejects(client.messages.create(params(false)), SyntaxError);
    assert.equal(fake.requests.length, 3);
  });

  test('firstTokenDelayMs sends headers first; headersDelayMs holds everything', async (t) => {
    t.after(closeFake);
    // Each delay holds its reply until the test lets it go, so the order of what arrives is the proof.
    fake.enqueue({ text: 'slow', firstTokenDelayMs: 60_000 }, { text: 'late', headersDelayMs: 60_000 });
    const first = new AbortController();
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(params(true)),
      signal: first.signal,
    });
    assert.equal(res.status, 200, 'headers came while the first token was held');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const { value } = await reader.read();
    const start = new TextDecoder().decode(value);
    assert.match(start, /^event: message_start/);
    assert.doesNotMatch(start, /slow/, 'no text before the first-token delay');
    first.abort();

    const second = new AbortController();
    const late = fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(params(true)),
      signal: second.signal,
    }).then(
      () => 'headers',
      () => 'aborted',
    );
    await fake.waitForRequests(2);
    second.abort();
    assert.equal(await late, 'aborted', 'nothing, not even headers, before the headers delay');
  });

  test('a client that disconnects mid-stream does not disturb the server', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: TEXT, chunkSize: 2, chunkDelayMs: 30 });
    const stream = client.messages.stream(params(true));
    await new Promise<void>((resolve) => stream.once('text', () => resolve()));
    stream.abort();
    await assert.rejects(stream.finalMessage(), Anthropic.APIUserAbortError);
    await until('the hang-up recorded', () => fake.requests[0]?.closedByClient === true);
    fake.enqueue({ text: 'next one' });
    assert.equal((await streamOutcome(client)).text, 'next one');
    assert.equal(fake.requests[1]?.closedByClient, undefined, 'a reply read to its end is not a hang-up');
  });

  test('a stream the fake itself cuts, or close() ends, is not recorded as closed by the client', async (t) => {
    t.after(closeFake);
    fake.enqueue({ text: TEXT, breakAfterChars: 10 }, { hang: true });
    assert.ok((await streamOutcome(client)).error);
    const abandoned = client.messages.create(params(true)).catch((e: unknown) => e);
    await fake.waitForRequests(2);
    await fake.close();
    await abandoned;
    assert.deepEqual(
      fake.requests.map((r) => r.closedByClient),
      [undefined, undefined],
    );
  });

  test('hang: the client can abort, and close() still resolves promptly', async (t) => {
    t.after(closeFake);
    fake.enqueue({ hang: true }, { hang: true });
    const controller = new AbortController();
    const aborted = client.messages.create(params(false), { signal: controller.signal });
    const abandoned = client.messages.create(params(true)).then(
      () => 'answered',
      (e: unknown) => e,
    );
    await fake.waitForRequests(2);
    controller.abort();
    await assert.rejects(aborted, Anthropic.APIUserAbortError);

    // close() destroys the hanging socket instead of waiting for it (the test's timeout is the bound).
    await fake.close();
    // The request nobody aborted fails with a connection error once the fake goes away.
    assert.ok((await abandoned) instanceof Anthropic.APIConnectionError);
  });

  test('count_tokens answers input_tokens and is recorded separately', async (t) => {
    t.after(closeFake);
    const { stream: _s, max_tokens: _m, ...body } = params(false, 'x'.repeat(400));
    const counted = await client.messages.countTokens(body);
    // 400 chars of question plus the 19-character system prompt, at four characters a token.
    assert.equal(counted.input_tokens, Math.ceil((400 + 'You are a test bot.'.length) / 4));
    assert.equal(fake.countRequests.length, 1);
    assert.equal(fake.countRequests[0]?.path, '/v1/messages/count_tokens');
    assert.equal(fake.requests.length, 0);
  });

  test('unknown routes and invalid bodies get Anthropic-style errors with a request-id', async (t) => {
    t.after(closeFake);
    const notFound = await fetch(`${fake.url}/v1/models`);
    assert.equal(notFound.status, 404);
    assert.equal(notFound.headers.get('request-id'), 'req_fake_1');
    const body = (await notFound.json()) as { type: string; error: { type: string }; request_id: string };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'not_found_error');
    assert.equal(body.request_id, 'req_fake_1');

    const { max_tokens: _, ...noMax } = params(false);
    const invalid = await fetch(`${fake.url}/v1/messages`, { method: 'POST', body: JSON.stringify(noMax) });
    assert.equal(invalid.status, 400);
    assert.match(await invalid.text(), /max_tokens/);
    const garbage = await fetch(`${fake.url}/v1/messages`, { method: 'POST', body: '{nope' });
    assert.equal(garbage.status, 400);
    assert.equal(fake.requests.length, 0);
  });

  test('enqueued replies are used first, then the responder; a reply without text asks the responder', async (t) => {
    t.after(closeFake);
    fake.setResponder((req) => ({ text: `echo: ${String(req.body.messages.at(-1)?.content)}` }));
    fake.enqueue({ text: 'scripted' }, { chunkSize: 1 });
    const answers: string[] = [];
    for (const q of ['one', 'two', 'three']) answers.push((await streamOutcome(client, q)).text);
    assert.deepEqual(answers, ['scripted', 'echo: two', 'echo: three']);
  });

  test('a throwing responder produces a 500 instead of crashing', async (t) => {
    t.after(closeFake);
    fake.setResponder(() => {
      throw new Error('boom');
    });
    const err = await client.messages.create(params(false)).catch((e: unknown) => e);
    assert.ok(err instanceof Anthropic.InternalServerError);
    assert.match(String(err.apiMessage), /boom/);
  });

  test('waitForRequests resolves on arrival and rejects clearly on timeout', async (t) => {
    t.after(closeFake);
    const waiting = fake.waitForRequests(1);
    void client.messages.create(params(false));
    const got = await waiting;
    assert.equal(got.length, 1);
    await assert.rejects(fake.waitForRequests(5, 50), /timed out after 50ms waiting for 5 .*received 1/);
  });

  test('the default responder is the offline model', async (t) => {
    t.after(closeFake);
    const message = await client.messages.create(params(false, 'How do I deploy the service?'));
    const text = message.content[0]?.type === 'text' ? message.content[0].text : '';
    assert.equal(text, offlineReply(wireBody(params(false, 'How do I deploy the service?'))));
    assert.ok(text.startsWith(OFFLINE_MODEL_NOTE));
  });
});

describe('startFakeAnthropic options', () => {
  let fake: FakeAnthropic;
  before(async () => {
    fake = await startFakeAnthropic({ inputTokensPerChar: 1, responder: () => ({ text: 'custom' }) });
  });
  after(async () => {
    await fake.close();
    await fake.close();
  });

  test('uses the given responder and token rate; close() is idempotent', async () => {
    const client = new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 });
    const message = await client.messages.create(params(false, 'abcd'));
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'custom');
    assert.equal(message.usage.input_tokens, 4 + 'You are a test bot.'.length);
    assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

/**
 * The start-up model check is a plain fetch (the SDK loads with the first question): it must send
 * what the SDK's `models.retrieve` sends, and read Anthropic's answers as the SDK's errors would.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ClaudeClient } from '../../../src/claude/client.js';
import { createLogger } from '../../../src/platform/logger.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

/** A server that answers every request with `status` and `body`, and records what it was sent. */
async function server(t: TestContext, status: number, body: string) {
  const seen: Seen[] = [];
  const srv = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.after(() => srv.close());
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
}

const client = (baseUrl: string | undefined, apiKey = 'sk-ant-test') =>
  new ClaudeClient({
    apiKey: () => apiKey,
    baseUrl,
    firstTokenTimeoutMs: 1000,
    timeoutMs: 1000,
    log: createLogger({ level: 'silent' }),
  });

const MODEL = {
  type: 'model',
  id: 'claude-sonnet-5-5',
  display_name: 'Claude',
  created_at: '2026-01-01T00:00:00Z',
};

test("the check sends the SDK's request: method, path, API version, key and accept headers", async (t) => {
  for (const base of ['', '/gateway/']) {
    const s = await server(t, 200, JSON.stringify(MODEL));
    await new Anthropic({ apiKey: 'sk-ant-test', baseURL: s.url + base, maxRetries: 0 }).models.retrieve(
      'claude-sonnet-5-5',
    );
    assert.equal(await client(s.url + base).check('claude-sonnet-5-5'), undefined);
    const [sdk, ours] = s.seen;
    assert.ok(sdk && ours);
    assert.equal(ours.method, sdk.method);
    assert.equal(ours.url, sdk.url);
    for (const h of ['anthropic-version', 'authorization', 'x-api-key', 'accept'])
      assert.equal(ours.headers[h], sdk.headers[h], `${h} as the SDK sends it`);
  }
});

test("the check reads Anthropic's answers as before: a refused key and an unknown model stop, anything else warns", async (t) => {
  const error = (type: string, message: string) =>
    JSON.stringify({ type: 'error', error: { type, message } });
  const refused = await server(t, 401, error('authentication_error', 'invalid x-api-key'));
  await assert.rejects(client(refused.url).check('claude-sonnet-5-5'), {
    message: 'ANTHROPIC_API_KEY: Anthropic did not accept the key (401 authentication_error)',
  });
  const forbidden = await server(t, 403, '<html>no</html>');
  await assert.rejects(client(forbidden.url).check('claude-sonnet-5-5'), {
    message: 'ANTHROPIC_API_KEY: Anthropic did not accept the key (403 error)',
  });
  const unknown = await server(t, 404, error('not_found_error', 'model: claude-sonet-5-5'));
  await assert.rejects(
    client(unknown.url).check('claude-sonet-5-5'),
    /^Error: CLAUDE_MODEL: Anthropic does not know the model "claude-sonet-5-5"/,
  );
  // A gateway without the Models API (its 404 does not name the model): a warning.
  const gateway = await server(t, 404, 'Not Found');
  assert.equal(
    await client(gateway.url).check('claude-sonnet-5-5'),
    'CLAUDE_MODEL: Anthropic could not check the model now (invalid_request); going on',
  );
  const overloaded = await server(t, 529, error('overloaded_error', 'Overloaded'));
  assert.equal(
    await client(overloaded.url).check('claude-sonnet-5-5'),
    'CLAUDE_MODEL: Anthropic could not check the model now (overloaded); going on',
  );
  const limited = await server(t, 429, error('rate_limit_error', 'slow down'));
  assert.equal(
    await client(limited.url).check('claude-sonnet-5-5'),
    'CLAUDE_MODEL: Anthropic could not check the model now (rate_limited); going on',
  );
});

test('a check that gets no answer in time says the timeout, as the SDK words it', async (t) => {
  const srv = createServer(() => {});
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  t.after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  assert.equal(
    await client(url).check('claude-sonnet-5-5', 50),
    `ANTHROPIC_BASE_URL: could not reach Anthropic at ${url} (Request timed out.); answers fail until it can (check the network, DNS or HTTPS_PROXY)`,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEgress } from '../../src/platform/egress.js';
import { startTestProxy } from '../support/connect-proxy.js';
import { startRig } from '../support/rig.js';
import { mention, waitForReplies } from '../support/visible.js';

const hostOf = (url: string) => new URL(url).host;

test('with a proxy set, every Slack and Anthropic call goes through it', async (t) => {
  const proxy = await startTestProxy();
  t.after(() => proxy.close());
  // The fakes listen on http://127.0.0.1, so HTTP_PROXY is the one that applies to them.
  const { sim, claude } = await startRig(t, { env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } });
  const message = await mention(sim, 'via proxy?');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 1);
  const slack = proxy.targets.filter((h) => h === hostOf(sim.apiUrl)).length;
  const anthropic = proxy.targets.filter((h) => h === hostOf(claude.url)).length;
  assert.ok(anthropic >= 1, 'the Claude call went through the proxy');
  // auth.test at start, then status, history and the reply: each a proxied request.
  assert.ok(slack >= sim.calls.length, `Slack calls through the proxy: ${slack} of ${sim.calls.length}`);
});

test('NO_PROXY hosts are reached directly', async (t) => {
  const proxy = await startTestProxy();
  t.after(() => proxy.close());
  const { sim, claude } = await startRig(t, {
    env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
  });
  const message = await mention(sim, 'direct?');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 1);
  assert.deepEqual(proxy.targets, []);
});

test('https URLs are tunnelled (CONNECT) through HTTPS_PROXY; NO_PROXY suffixes skip it', async (t) => {
  const proxy = await startTestProxy({ refuse: (host) => host.endsWith('.test') });
  t.after(() => proxy.close());
  const egress = createEgress({ https: proxy.url, http: undefined, noProxy: '.slack.test' });
  t.after(() => egress.close());
  const f = egress.fetch;
  assert.ok(f);
  await assert.rejects(f('https://api.anthropic.test/v1/messages', { method: 'POST', body: '{}' }));
  assert.deepEqual(proxy.targets, ['api.anthropic.test:443'], 'tunnel asked for the API host');
  await assert.rejects(f('https://files.slack.test/api/auth.test'), 'direct: the name does not resolve');
  assert.deepEqual(proxy.targets, ['api.anthropic.test:443'], 'no tunnel for a NO_PROXY host');
  assert.equal(
    createEgress({ https: undefined, http: undefined, noProxy: undefined }).fetch,
    undefined,
    'no proxy: global fetch',
  );
});

test('in Socket Mode the connection request and the WebSocket itself go through the proxy', async (t) => {
  const proxy = await startTestProxy();
  t.after(() => proxy.close());
  const { sim, claude } = await startRig(t, { socketMode: true, env: { HTTP_PROXY: proxy.url } });
  await sim.waitFor(() => sim.socketCount > 0 || undefined, { what: 'a socket connection' });
  const message = await mention(sim, 'over a proxied socket?');
  await waitForReplies(sim, 'C0GENERAL', message.ts);
  assert.equal(claude.requests.length, 1);
  const simHost = hostOf(sim.apiUrl);
  assert.ok(proxy.targets.includes(simHost), 'apps.connections.open through the proxy');
  assert.equal(proxy.upgrades.length, 1, 'the WebSocket was opened through the proxy');
});

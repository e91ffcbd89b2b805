import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { startPrivateRedis, uniquePrefix } from '../support/redis.js';
import { startRig } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention } from '../support/visible.js';

async function get(port: number | undefined, path: string) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string } };
}

test('/healthz and /readyz answer 200 once Slack accepted the token and the bot listens', async (t) => {
  const { port } = await startRig(t);
  assert.deepEqual(await get(port, '/healthz'), { status: 200, body: { status: 'ok' } });
  assert.deepEqual(await get(port, '/readyz'), { status: 200, body: { status: 'ready' } });
});

test('/readyz is 503 while the configured Redis is unreachable, and 200 again when it is back', async (t) => {
  const redis = await startPrivateRedis();
  t.after(() => redis.down());
  const { port } = await startRig(t, { env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: uniquePrefix() } });
  assert.equal((await get(port, '/readyz')).status, 200);
  await redis.down();
  await until('503', async () => (await get(port, '/readyz')).status === 503);
  assert.deepEqual(await get(port, '/readyz'), { status: 503, body: { status: 'redis_unreachable' } });
  // Alive all the same: a liveness probe must not restart the bot for a Redis outage.
  assert.equal((await get(port, '/healthz')).status, 200);
  await redis.up();
  await until('200 again', async () => (await get(port, '/readyz')).status === 200);
});

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

test('in Socket Mode the same routes are served on PORT', async (t) => {
  const port = await freePort();
  const { sim } = await startRig(t, { socketMode: true, env: { PORT: String(port) } });
  await sim.waitFor(() => sim.socketCount > 0);
  assert.equal((await get(port, '/readyz')).status, 200);
  const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.match(await metrics.text(), /slackbot_claude_queue_waiting 0/);
});

test('with OPS_PORT, the bot serves health and metrics there, and Slack alone on PORT', async (t) => {
  const opsPort = await freePort();
  const { sim, port } = await startRig(t, { env: { OPS_PORT: String(opsPort) } });
  assert.deepEqual(await get(opsPort, '/readyz'), { status: 200, body: { status: 'ready' } });
  assert.equal((await fetch(`http://127.0.0.1:${opsPort}/metrics`)).status, 200);
  for (const path of ['/healthz', '/readyz', '/metrics'])
    assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 404, `${path} not on PORT`);
  const message = await mention(sim, 'hi');
  await sim.waitFor(() => sim.thread('C0GENERAL', message.ts).length > 1, { what: 'an answer through PORT' });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { createServer } from 'node:tls';
import { Redis } from 'ioredis';
import { startChild } from '../support/child.js';
import { startPrivateRedis, uniquePrefix } from '../support/redis.js';
import { botEnv, startFakes } from '../support/rig.js';
import { until } from '../support/until.js';
import { mention, waitForReplies } from '../support/visible.js';

/** A certificate for 127.0.0.1 from a CA of its own (as a managed Redis's would be to Node). */
function certificate(): { key: string; cert: string; caFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), caFile: cert };
}

/** TLS in front of a plain Redis port, as a managed Redis or a TLS sidecar serves it. */
async function tlsFront(t: TestContext, redisPort: number, tls: { key: string; cert: string }) {
  const sockets = new Set<Socket>();
  const server = createServer(tls, (client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

test('rediss:// with a password: the bot is ready, and its claims and answer cache live in that Redis', async (t) => {
  const password = randomBytes(12).toString('hex');
  const redis = await startPrivateRedis(password);
  t.after(() => redis.down());
  const tls = certificate();
  const tlsPort = await tlsFront(t, redis.port, tls);
  const { sim, claude } = await startFakes(t);
  const prefix = uniquePrefix();
  const bot = startChild(t, 'src/main.ts', {
    ...botEnv(sim, claude),
    REDIS_URL: `rediss://:${password}@127.0.0.1:${tlsPort}`,
    REDIS_KEY_PREFIX: prefix,
    // How Node trusts a private CA: the operator's way too.
    NODE_EXTRA_CA_CERTS: tls.caFile,
  });
  const port = await bot.ready;
  const readyz = () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status);
  await until('/readyz 200 (Redis reached over TLS)', async () => (await readyz()) === 200);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  const message = await mention(sim, 'hi');
  await waitForReplies(sim, 'C0GENERAL', message.ts);

  const direct = new Redis(redis.url);
  t.after(() => direct.disconnect());
  const keys = () => direct.keys(`${prefix}*`).then((k) => k.join(' '));
  const both = async () => {
    const k = await keys();
    return k.includes(':answer:') && k.includes('claim:');
  };
  await until('the claim and the cached answer in Redis', both, { timeoutMs: 20_000 }).catch(async (err) => {
    throw new Error(`${(err as Error).message}; keys: ${await keys()}`);
  });
  assert.doesNotMatch(bot.output(), new RegExp(password), 'the password is never logged');
});

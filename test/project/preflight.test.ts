import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { read } from './repo.js';

/** Runs the suite's preflight as `npm test` does, with `env` added; its exit code and stderr. */
async function preflight(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/preflight.ts'], {
    cwd: new URL('../../', import.meta.url),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const [code] = (await once(child, 'exit')) as [number];
  return { code, stderr };
}

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

test('npm test checks what the suite needs before running it', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.match(
    scripts.test ?? '',
    /^node --import tsx test\/support\/preflight\.ts && node --import tsx --test /,
  );
});

test('without a Redis at REDIS_URL the suite stops with one line naming Redis and REDIS_URL', async () => {
  const port = await closedPort();
  const r = await preflight({ REDIS_URL: `redis://:hunter2secret@127.0.0.1:${port}` });
  assert.equal(r.code, 1);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    `Tests need Redis: nothing answers at redis://127.0.0.1:${port} (ECONNREFUSED); start one (sudo apt-get install -y redis-server) or set REDIS_URL to a Redis the tests may use`,
  ]);
});

test('with Redis and Chromium there the preflight passes silently', async () => {
  const r = await preflight({});
  assert.deepEqual(r, { code: 0, stderr: '' });
});

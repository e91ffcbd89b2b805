/**
 * Redis topologies a test starts and tears down itself, on free loopback ports in a temporary
 * folder: a Redis Cluster of three primaries, and a Sentinel watching a Redis. They need
 * `redis-server` and `redis-cli` (the redis-server package); without them the test fails, never
 * skips. Each returns `stop`, which the test registers (t.after) after the bots using it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './redis.js';
import { until } from './until.js';

const run = promisify(execFile);

/** Servers a test started; `stop` ends them (and a process that exits ends those left). */
class Servers {
  private readonly procs: ChildProcess[] = [];
  private readonly onExit = () => {
    for (const p of this.procs) p.kill('SIGKILL');
  };

  constructor() {
    process.once('exit', this.onExit);
  }

  start(args: string[], cwd: string): void {
    const proc = spawn('redis-server', args, { cwd, stdio: 'ignore' });
    proc.on('error', (err: NodeJS.ErrnoException) => {
      // Surfaces as the test's failure: the waits below never see the server.
      process.emitWarning(`redis-server could not start (${err.code ?? err.message})`);
    });
    this.procs.push(proc);
  }

  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    await Promise.all(
      this.procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
  }
}

async function answers(port: number, check: (redis: Redis) => Promise<boolean> = async () => true) {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return await check(probe);
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Fails the test with the fix when redis-server or redis-cli is not installed. */
async function needTools(): Promise<void> {
  for (const tool of ['redis-server', 'redis-cli']) {
    await run(tool, ['--version']).catch(() => {
      throw new Error(`This test needs ${tool} (sudo apt-get install -y redis-server)`);
    });
  }
}

/**
 * Three cluster-enabled redis-servers joined into one cluster (`redis-cli --cluster create`), each
 * a primary of a third of the slots. `url` is REDIS_URL's cluster form naming all three. The test
 * registers `stop` after the bots that use it (t.after hooks run in order), so they stop first.
 */
export async function startRedisCluster(): Promise<{ url: string; ports: number[]; stop(): Promise<void> }> {
  await needTools();
  const dir = mkdtempSync(join(tmpdir(), 'scb-cluster-'));
  const servers = new Servers();
  const ports: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const bus = await freePort();
    ports.push(port);
    servers.start(
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(bus),
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
      ],
      dir,
    );
  }
  for (const port of ports)
    await until(`redis-server on ${port}`, () => answers(port), { timeoutMs: 10_000 });
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-yes']);
  const ok = (redis: Redis) => redis.cluster('INFO').then((info) => /cluster_state:ok/.test(String(info)));
  for (const port of ports) {
    await until(`cluster state ok on ${port}`, () => answers(port, ok), { timeoutMs: 20_000 });
  }
  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    async stop() {
      await servers.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A Sentinel (`redis-server --sentinel`) watching the Redis on `primaryPort` as `name`; `url` is
 * REDIS_URL's Sentinel form.
 */
export async function startSentinel(
  primaryPort: number,
  name = 'scbprimary',
): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  await needTools();
  const dir = mkdtempSync(join(tmpdir(), 'scb-sentinel-'));
  const servers = new Servers();
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file as it learns: it must be a file of its own.
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${name} 5000`,
      '',
    ].join('\n'),
  );
  servers.start([conf, '--sentinel'], dir);
  const knows = (redis: Redis) =>
    redis
      .call('SENTINEL', 'get-master-addr-by-name', name)
      .then((addr) => Array.isArray(addr) && Number(addr[1]) === primaryPort);
  await until(`sentinel on ${port}`, () => answers(port, knows), { timeoutMs: 10_000 });
  return {
    url: `redis+sentinel://127.0.0.1:${port}/${name}`,
    port,
    async stop() {
      await servers.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

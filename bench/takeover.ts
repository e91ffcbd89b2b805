import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { startPrivateRedis } from '../test/support/redis.js';
import { botEnv, startBot } from './setup.js';
import { summary } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A replica in a process of its own with a given lease (test/support/child-bot.ts), ready to be killed. */
async function startReplica(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', tsx, 'test/support/child-bot.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)[^\n]*"msg":"ready"/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`replica exited (${code}) before ready`)));
  });
  child.stdout?.resume();
  return { child, port };
}

/** Redis commands processed, by command, since the server started. */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  return new Map(
    [...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]),
  );
}

/**
 * Durable questions: a replica (its own process) is killed with SIGKILL while Claude answers one
 * of its questions, `kills` times; another replica, in this process, takes each over. Measures
 * kill → answer in the thread, against the lease. Then the Redis commands one question costs.
 */
export async function measureTakeover(opts: { kills: number; leaseMs: number; questions: number }) {
  const redis = await startPrivateRedis();
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  let hang = true;
  const claude = await startFakeAnthropic({
    responder: () => (hang ? { hang: true } : { text: 'Answered.' }),
  });
  // Each killed replica's call keeps a shared Claude slot until it expires: room for all of them.
  const extra = { REDIS_URL: redis.url, CLAUDE_MAX_CONCURRENT: String(opts.kills + 5) };
  const survivor = await startBot(sim, claude, extra, { claimLeaseMs: opts.leaseMs });
  const takeover: number[] = [];
  try {
    for (let i = 0; i < opts.kills; i++) {
      const doomed = await startReplica({
        ...botEnv(sim, claude, extra),
        CLAIM_LEASE_MS: String(opts.leaseMs),
      });
      sim.connectHttp({ eventsUrl: `http://127.0.0.1:${doomed.port}/slack/events` });
      hang = true;
      const calls = claude.requests.length;
      const { message } = await sim.post({
        user: 'U0ALICE',
        channel: 'C0GENERAL',
        text: `<@${sim.botUserId}> q${i}`,
      });
      await claude.waitForRequests(calls + 1);
      const exited = once(doomed.child, 'exit');
      doomed.child.kill('SIGKILL');
      const killedAt = performance.now();
      await exited;
      hang = false;
      await sim.waitFor(
        () =>
          sim.thread('C0GENERAL', message.ts).some((m) => m.user === sim.botUserId && m.text === 'Answered.'),
        { what: 'the answer from the other replica', timeoutMs: opts.leaseMs * 3 + 20_000 },
      );
      takeover.push(performance.now() - killedAt);
    }
    // Redis commands per question, one replica answering one question at a time.
    sim.connectHttp({ eventsUrl: survivor.eventsUrl });
    const probe = new Redis(redis.url);
    const idleStart = await commandStats(probe);
    await new Promise((r) => setTimeout(r, 2000));
    const idleEnd = await commandStats(probe);
    const started = performance.now();
    for (let i = 0; i < opts.questions; i++) {
      const { message } = await sim.post({
        user: 'U0BOB',
        channel: 'C0GENERAL',
        text: `<@${sim.botUserId}> n${i}`,
      });
      await sim.waitFor(
        () => sim.thread('C0GENERAL', message.ts).some((m) => m.text === 'Answered.' && !m.streaming),
        {
          what: 'an answer',
        },
      );
    }
    const busyMs = performance.now() - started;
    const end = await commandStats(probe);
    await probe.quit();
    const total = (a: Map<string, number>, b: Map<string, number>) =>
      [...b].reduce((n, [k, v]) => n + v - (a.get(k) ?? 0), 0);
    const idlePerMs = total(idleStart, idleEnd) / 2000;
    const perQuestion = (total(idleEnd, end) - idlePerMs * busyMs) / opts.questions;
    const jobCommands = ['xadd', 'xreadgroup', 'xack', 'xdel', 'xclaim', 'rpush'];
    const durablePerQuestion =
      jobCommands.reduce((n, k) => n + (end.get(k) ?? 0) - (idleEnd.get(k) ?? 0), 0) / opts.questions;
    return { takeover: summary(takeover), leaseMs: opts.leaseMs, perQuestion, durablePerQuestion };
  } finally {
    await survivor.stop();
    await sim.close();
    await claude.close();
    await redis.down();
  }
}

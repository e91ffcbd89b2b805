import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type FakeAnthropic, startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { botEnv } from './setup.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Resident memory of a process (Linux), in bytes. */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

/**
 * The node options of `npm start` (package.json), which the Dockerfile's CMD repeats (checked by
 * test/docs.test.ts), so the bot is measured as it runs in production.
 */
function startNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  return words.slice(1, words.indexOf('dist/main.js'));
}

/**
 * Starts `node <script>` (dist/main.js or the bare app) as production does, and waits until it answers on `path` (any status
 * for the bare app; 200 for the bot's /readyz). Returns the time from spawn to ready.
 */
export async function spawnNode(script: string, env: Record<string, string>, path: string, needOk: boolean) {
  // The free port can be taken by another program before the child binds it: try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(script, env, path, needOk);
    } catch (err) {
      if (attempt >= 3 || !/exited \(1\) before it was ready/.test((err as Error).message)) throw err;
    }
  }
}

async function spawnOnce(script: string, env: Record<string, string>, path: string, needOk: boolean) {
  const port = await freePort();
  const started = performance.now();
  const args = script === 'dist/main.js' ? [...startNodeArgs(), script] : [script];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}${path}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}) before it was ready`);
    if (Date.now() > deadline) throw new Error(`${script} was not ready within 30 s`);
    const res = await fetch(url).catch(() => undefined);
    if (res && (!needOk || res.ok)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const readyMs = performance.now() - started;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  return { port, pid: child.pid as number, readyMs, stop };
}

/**
 * The built bot for a memory phase: Claude may take ten minutes (a fake that never answers holds
 * every request open) and requests per minute do not limit; resident memory read once start-up
 * garbage has settled.
 */
async function startIdleBot(sim: SlackSim, claude: FakeAnthropic, extra: Record<string, string>) {
  const env = botEnv(sim, claude, {
    CLAUDE_REQUESTS_PER_MINUTE: '100000',
    CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '600000',
    CLAUDE_TIMEOUT_MS: '600000',
    ...extra,
  });
  const bot = await spawnNode('dist/main.js', env, '/readyz', true);
  await new Promise((r) => setTimeout(r, 1000));
  return { bot, idleRss: rssOf(bot.pid) };
}

/** Queue depth and V8 heap in use, from the bot's own /metrics. */
async function scrape(port: number): Promise<{ waiting: number; heapUsed: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([\\d.e+]+)`, 'm').exec(text)?.[1] ?? 0);
  return { waiting: value('slackbot_claude_queue_waiting'), heapUsed: value('nodejs_heap_size_used_bytes') };
}

export interface ProcessResults {
  bot: {
    startMs: number;
    idleRss: number;
    queuedRss: number;
    queued: number;
    idleHeap: number;
    queuedHeap: number;
  };
  bare: { startMs: number; idleRss: number };
  /** How many times each was started (the figures are medians). */
  starts: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};

/**
 * Start-up time and memory of the built bot (`npm start`'s node command, as in the Docker image) and
 * of a bare Bolt app, each in its own process, started `starts` times in turn (so a busy moment of
 * the machine falls on both alike; the medians are kept). The last bot is then given `queued`
 * mentions while Claude never answers, so they wait in its queue.
 */
export async function measureProcesses(queued: number, starts = 3): Promise<ProcessResults> {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic({ responder: () => ({ hang: true }) });
  const bare = { startMs: [] as number[], idleRss: [] as number[] };
  const idle = { startMs: [] as number[], idleRss: [] as number[] };
  try {
    for (let i = 0; ; i++) {
      const b = await spawnNode('bench/bare-bolt.mjs', botEnv(sim, claude), '/', false);
      // Let start-up garbage settle before reading memory, for both alike.
      await new Promise((r) => setTimeout(r, 1000));
      bare.startMs.push(b.readyMs);
      bare.idleRss.push(rssOf(b.pid));
      await b.stop();
      const { bot, idleRss } = await startIdleBot(sim, claude, {
        CLAUDE_MAX_CONCURRENT: '5',
        CLAUDE_MAX_QUEUED: String(queued * 2),
      });
      idle.startMs.push(bot.readyMs);
      idle.idleRss.push(idleRss);
      if (i + 1 < starts) {
        await bot.stop();
        continue;
      }
      try {
        const idleHeap = (await scrape(bot.port)).heapUsed;
        sim.connectHttp({ eventsUrl: `http://127.0.0.1:${bot.port}/slack/events` });
        for (let i = 0; i < queued; i += 50) {
          await Promise.all(
            Array.from({ length: Math.min(50, queued - i) }, (_, j) =>
              sim.post({
                user: 'U0ALICE',
                channel: 'C0GENERAL',
                text: `<@${sim.botUserId}> queued ${i + j}`,
              }),
            ),
          );
        }
        let m = await scrape(bot.port);
        const deadline = Date.now() + 30_000;
        while (m.waiting < queued - 5 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          m = await scrape(bot.port);
        }
        return {
          bot: {
            startMs: median(idle.startMs),
            idleRss: median(idle.idleRss),
            queuedRss: rssOf(bot.pid),
            queued: m.waiting,
            idleHeap,
            queuedHeap: m.heapUsed,
          },
          bare: { startMs: median(bare.startMs), idleRss: median(bare.idleRss) },
          starts,
        };
      } finally {
        await bot.stop();
      }
    }
  } finally {
    await sim.close();
    await claude.close();
  }
}

/**
 * Peak memory with `questions` file questions asked at once, `concurrent` answered at a time
 * (CLAUDE_MAX_CONCURRENT; the rest wait their turn with nothing read): each mention carries a
 * real 1,600 × 1,000 screenshot of about 5 MB (noise, so it does not compress: the worst case),
 * which the built bot downloads, scales to 1,568 px with sharp and sends base64 to a Claude that
 * never answers, so every request stays open. Resident memory is sampled every 20 ms.
 */
export async function measureFileMemory(questions: number, concurrent: number) {
  const { default: sharp } = await import('sharp');
  const width = 1600;
  const height = 1000;
  const noise = Buffer.alloc(width * height * 3);
  let x = 2463534242;
  for (let i = 0; i < noise.length; i++) {
    // xorshift32: noise that PNG cannot compress, like a photo-heavy screenshot.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    noise[i] = x & 0xff;
  }
  const png = await sharp(noise, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic({ responder: () => ({ hang: true }) });
  const { bot, idleRss } = await startIdleBot(sim, claude, { CLAUDE_MAX_CONCURRENT: String(concurrent) });
  try {
    sim.connectHttp({ eventsUrl: `http://127.0.0.1:${bot.port}/slack/events` });
    let peak = idleRss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssOf(bot.pid));
    }, 20);
    const started = performance.now();
    try {
      await Promise.all(
        Array.from({ length: questions }, (_, i) =>
          sim.post({
            user: 'U0ALICE',
            channel: 'C0GENERAL',
            text: `<@${sim.botUserId}> what does screenshot ${i} show?`,
            files: [
              sim.files.add({ name: `shot-${i}.png`, mimetype: 'image/png', bytes: png, width, height }),
            ],
          }),
        ),
      );
      // FILES_MEMORY_MAX_BYTES (50 MB by default) lets as many hold their file as fit.
      const fit = Math.floor((50 * 1024 * 1024) / png.length);
      const sent = Math.min(questions, concurrent, fit);
      await claude.waitForRequests(sent, 120_000);
      const allInMs = performance.now() - started;
      await new Promise((r) => setTimeout(r, 500));
      const sentBytes = claude.requests.reduce((s, r) => s + JSON.stringify(r.body).length, 0);
      return { idleRss, peakRss: peak, fileBytes: png.length, sentBytes, allInMs, sent };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await bot.stop();
    await sim.close();
    await claude.close();
  }
}

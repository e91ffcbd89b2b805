import { readFileSync } from 'node:fs';
import { constants, getPriority, setPriority } from 'node:os';
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { setThreadPriorities } from '../src/platform/priority.js';
import { spawnNode } from './process.js';
import { type Recorded, recorder, startReplayer, type Timed } from './sender.js';
import { botEnv } from './setup.js';
import { summary } from './stats.js';

export interface AckOptions {
  /** Mentions per second during the steady phase. */
  rate: number;
  seconds: number;
  /** Seconds at the same rate before timing starts. */
  warmupSeconds: number;
  burst: number;
}

/** CPU seconds (user + system) a process has used so far (Linux; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function lowerPriority(): void {
  try {
    setPriority(0, constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {}
}

/** Raising it back needs privileges (root here); without them the rest of the run stays lower. */
function restorePriority(priority: number): void {
  try {
    setPriority(0, priority);
  } catch {
    process.stderr.write("bench: could not restore this thread's priority (not root)\n");
  }
}

export interface AckResult {
  steady: ReturnType<typeof summary> & { events: number; failed: number };
  /** CPU used by the app's process during the steady phase, as a share of one core. */
  cpu: number;
  /** The bot's own ack histogram (request verified → acked): p50 and p99 bucket bounds, ms. */
  inside?: { p50: number; p99: number };
  burst: ReturnType<typeof summary> & { events: number; failed: number };
}

function collect(results: Timed[]) {
  const ok = results.filter((d) => d.status === 200);
  return { ...summary(ok.map((d) => d.ackMs)), events: results.length, failed: results.length - ok.length };
}

/**
 * What is measured: the bot; a bare Bolt app that only acks (the floor); or that bare app while
 * the bot, in a process of its own with every thread at the lowest CPU priority, answers the same
 * mentions beside it: the floor under the CPU load the answers put on the same cores.
 */
export type AckTarget = 'bot' | 'bare' | 'bare-beside-bot';

/**
 * Ack latency as Slack sees it (each request's round trip, timed by the replaying thread): mentions at `rate`/s for
 * `seconds`, then `burst` at once, while Claude takes about 2 s per answer.
 */
export async function measureAcks(target: AckTarget, o: AckOptions): Promise<AckResult> {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  // About 2 s per answer: 0.5 s to the first token, then 10 deltas 150 ms apart.
  const claude = await startFakeAnthropic({
    responder: () => ({
      text: 'slow answer '.repeat(17),
      chunkSize: 20,
      chunkDelayMs: 150,
      firstTokenDelayMs: 500,
    }),
  });
  // In a process of its own (built bot or bare app), so the load generator does not share its CPU.
  const env = botEnv(sim, claude, {
    // Room for every answer at once (100/s × about 2.1 s), so none waits and gets a queued status.
    CLAUDE_MAX_CONCURRENT: '300',
    CLAUDE_REQUESTS_PER_MINUTE: '100000',
    CLAUDE_MAX_QUEUED: '100000',
    STREAM_APPENDS_PER_MINUTE: '10000',
  });
  const app =
    target === 'bot'
      ? await spawnNode('dist/main.js', env, '/readyz', true)
      : await spawnNode('bench/bare-bolt.mjs', env, '/', false);
  // Sent each request after the timed app has acked it; never timed.
  const beside =
    target === 'bare-beside-bot' ? await spawnNode('dist/main.js', env, '/readyz', true) : undefined;
  // Every thread at the lowest CPU priority (Linux: per thread; later threads inherit it).
  if (beside) setThreadPriorities(beside.pid, constants.priority.PRIORITY_LOW);
  const alsoBeside = (groups: Recorded[][]) =>
    beside
      ? groups.map((g) =>
          g.flatMap((r) => [r, { ...r, url: `http://127.0.0.1:${beside.port}/slack/events` }]),
        )
      : groups;
  const timedOnly = (results: Timed[][]) =>
    beside ? results.map((g) => g.filter((_, i) => i % 2 === 0)) : results;
  const eventsUrl = `http://127.0.0.1:${app.port}/slack/events`;
  // The questions are posted to the sim first (recorded, not sent), then replayed from a thread
  // of their own, so only the app's delays are timed; anything else the sim sends goes as usual.
  const record = recorder();
  sim.connectHttp({ eventsUrl, transport: record.transport });
  const warm = Math.round(o.rate * o.warmupSeconds);
  const count = Math.round(o.rate * o.seconds);
  const prepare = async (from: number, n: number) => {
    const groups: Recorded[][] = [];
    for (let i = from; i < from + n; i++) {
      await sim.post({
        user: 'U0ALICE',
        channel: 'C0GENERAL',
        text: `<@${sim.botUserId}> question ${target} ${i}`,
      });
      groups.push(record.take());
    }
    return groups;
  };
  const warmup = await prepare(0, warm);
  const steady = await prepare(warm, count);
  const burst = await prepare(warm + count, o.burst);
  sim.connectHttp({ eventsUrl });
  const sender = startReplayer();
  // The simulated Slack and Claude share this machine's CPU only because they are simulated:
  // this thread yields to the app and the sender.
  const priority = getPriority(0);
  lowerPriority();
  try {
    // Warm-up at the same rate first (connections, JIT, streams building up), not timed.
    await sender.replay(alsoBeside(warmup), o.rate);
    // Again: the bot raises its main thread to nice 10 once started, and has started threads since.
    // Every thread at the lowest CPU priority (Linux: per thread; later threads inherit it).
    if (beside) setThreadPriorities(beside.pid, constants.priority.PRIORITY_LOW);
    const cpuBefore = cpuSeconds(app.pid);
    const measuredFrom = Date.now();
    const steadyResults = timedOnly(await sender.replay(alsoBeside(steady), o.rate)).flat();
    const cpu = (cpuSeconds(app.pid) - cpuBefore) / ((Date.now() - measuredFrom) / 1000);
    const burstResults = timedOnly(await sender.replay(alsoBeside(burst), Number.POSITIVE_INFINITY)).flat();
    const inside = target === 'bot' ? await ackBuckets(app.port) : undefined;
    return {
      steady: collect(steadyResults),
      burst: collect(burstResults),
      cpu,
      ...(inside ? { inside } : {}),
    };
  } finally {
    restorePriority(priority);
    await sender.close();
    await app.stop();
    await beside?.stop();
    await sim.close();
    await claude.close();
  }
}

/**
 * The bot's own view (slackbot_ack_seconds, both phases): from the request read and verified to
 * the ack written, without the time the request waited to be read.
 */
async function ackBuckets(port: number): Promise<{ p50: number; p99: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const buckets = [...text.matchAll(/^slackbot_ack_seconds_bucket\{le="([^"]+)",type="event"\} (\d+)/gm)].map(
    (m) => ({ le: Number(m[1]), count: Number(m[2]) }),
  );
  const total = buckets.at(-1)?.count ?? 0;
  const bound = (q: number) => (buckets.find((b) => b.count >= q * total)?.le ?? Number.NaN) * 1000;
  return { p50: bound(0.5), p99: bound(0.99) };
}

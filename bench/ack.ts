import { readFileSync } from 'node:fs';
import { startFakeAnthropic } from '../src/sandbox/fake-anthropic.js';
import { type DeliveryResult, SlackSim } from '../src/sandbox/slack-sim.js';
import { spawnNode } from './process.js';
import { botEnv } from './setup.js';
import { summary, until } from './stats.js';

export interface AckOptions {
  /** Mentions per second during the steady phase. */
  rate: number;
  seconds: number;
  burst: number;
}

/** CPU seconds (user + system) a process has used so far (Linux; clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface AckResult {
  steady: ReturnType<typeof summary> & { events: number; failed: number };
  /** CPU used by the app's process during the steady phase, as a share of one core. */
  cpu: number;
  /** The bot's own ack histogram (request handed to Bolt → acked): p50 and p99 bucket bounds, ms. */
  inside?: { p50: number; p99: number };
  burst: ReturnType<typeof summary> & { events: number; failed: number };
}

function collect(results: DeliveryResult[]) {
  const ok = results.filter((d) => d.status === 200);
  return { ...summary(ok.map((d) => d.ackMs)), events: results.length, failed: results.length - ok.length };
}

/**
 * Ack latency as Slack sees it (the sim's delivery round trip): mentions at `rate`/s for
 * `seconds`, then `burst` at once, while Claude takes about 2 s per answer. `target` is the bot
 * or a bare Bolt app that only acks (the floor).
 */
export async function measureAcks(target: 'bot' | 'bare', o: AckOptions): Promise<AckResult> {
  const sim = await SlackSim.start();
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
    CLAUDE_MAX_CONCURRENT: '200',
    CLAUDE_REQUESTS_PER_MINUTE: '100000',
    CLAUDE_MAX_QUEUED: '100000',
    STREAM_APPENDS_PER_MINUTE: '10000',
  });
  const app =
    target === 'bot'
      ? await spawnNode('dist/main.js', env, '/readyz', true)
      : await spawnNode('bench/bare-bolt.mjs', env, '/', false);
  sim.connectHttp({ eventsUrl: `http://127.0.0.1:${app.port}/slack/events` });
  try {
    const ask = (i: number) =>
      sim
        .post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${target} ${i}` })
        .then((r) => r.deliveries);
    const steady: Promise<DeliveryResult[]>[] = [];
    const count = Math.round(o.rate * o.seconds);
    const start = Date.now();
    const cpuBefore = cpuSeconds(app.pid);
    for (let i = 0; i < count; i++) {
      await until(start + (i * 1000) / o.rate);
      steady.push(ask(i));
    }
    const steadyResults = (await Promise.all(steady)).flat();
    const cpu = (cpuSeconds(app.pid) - cpuBefore) / ((Date.now() - start) / 1000);
    const burstResults = (
      await Promise.all(Array.from({ length: o.burst }, (_, i) => ask(count + i)))
    ).flat();
    const inside = target === 'bot' ? await ackBuckets(app.port) : undefined;
    return {
      steady: collect(steadyResults),
      burst: collect(burstResults),
      cpu,
      ...(inside ? { inside } : {}),
    };
  } finally {
    await app.stop();
    await sim.close();
    await claude.close();
  }
}

/**
 * The bot's own view (slackbot_ack_seconds, both phases): the sim measures the round trip from
 * the load generator's process, which is busy serving the bot's Web API calls too.
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

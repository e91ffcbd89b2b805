import { startFakeAnthropic } from '../src/sandbox/fake-anthropic.js';
import { type DeliveryResult, SlackSim } from '../src/sandbox/slack-sim.js';
import { startBareApp, startBot } from './setup.js';
import { summary, until } from './stats.js';

export interface AckOptions {
  /** Mentions per second during the steady phase. */
  rate: number;
  seconds: number;
  burst: number;
}

export interface AckResult {
  steady: ReturnType<typeof summary> & { events: number; failed: number };
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
  const app =
    target === 'bot'
      ? await startBot(sim, claude, {
          CLAUDE_MAX_CONCURRENT: '200',
          CLAUDE_REQUESTS_PER_MINUTE: '100000',
          CLAUDE_MAX_QUEUED: '100000',
          STREAM_APPENDS_PER_MINUTE: '10000',
        })
      : await startBareApp(sim);
  try {
    const ask = (i: number) =>
      sim
        .post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> question ${target} ${i}` })
        .then((r) => r.deliveries);
    const steady: Promise<DeliveryResult[]>[] = [];
    const count = Math.round(o.rate * o.seconds);
    const start = Date.now();
    for (let i = 0; i < count; i++) {
      await until(start + (i * 1000) / o.rate);
      steady.push(ask(i));
    }
    const steadyResults = (await Promise.all(steady)).flat();
    const burstResults = (
      await Promise.all(Array.from({ length: o.burst }, (_, i) => ask(count + i)))
    ).flat();
    return { steady: collect(steadyResults), burst: collect(burstResults) };
  } finally {
    await app.stop();
    await sim.close();
    await claude.close();
  }
}

import { type FakeAnthropic, startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import type { HttpTransport } from '../sandbox/slack/delivery.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { startBot, startEchoApp } from './setup.js';
import { summary } from './stats.js';

/** Claude's time to first token in these phases: short, so the bot's own share shows. */
const FIRST_TOKEN_MS = 100;

interface Sample {
  /** The app_mention event sent by Slack → Claude request received by the fake. */
  toClaude: number;
  /** Claude's first token → first text sent to Slack. */
  toSlack: number;
  /** Event sent → first text in Slack. */
  total: number;
}

/** Methods that carry the first text of an answer into a thread. */
const FIRST_TEXT = new Set(['chat.startStream', 'chat.postMessage']);

/**
 * The sim's HTTP delivery, noting when each event was sent: a mention reaches the app as two
 * events, `message` and then, once that is acked, `app_mention`, and only the second one asks.
 */
export function timedDelivery(): { transport: HttpTransport; sentAt: (type: string, ts: string) => number } {
  const sent = new Map<string, number>();
  return {
    transport: async (url, req) => {
      const { event } = JSON.parse(req.body) as { event?: { type?: string; ts?: string } };
      const at = Date.now();
      if (event?.type && event.ts) sent.set(`${event.type} ${event.ts}`, at);
      const res = await fetch(url, { method: 'POST', headers: req.headers, body: req.body });
      return { status: res.status, body: await res.text(), ackMs: Date.now() - at };
    },
    sentAt: (type, ts) => sent.get(`${type} ${ts}`) ?? Number.NaN,
  };
}

/** Asks one question and times it from the sim's call log and the fake's request log. */
async function askTimed(
  sim: SlackSim,
  claude: FakeAnthropic,
  text: string,
  delivery: ReturnType<typeof timedDelivery>,
): Promise<Sample> {
  const sentAt = Date.now();
  const { message } = await sim.post({
    user: 'U0ALICE',
    channel: 'C0GENERAL',
    text: `<@${sim.botUserId}> ${text}`,
  });
  const call = await sim.waitFor(
    () =>
      sim.calls.find(
        (c) => FIRST_TEXT.has(c.method) && c.ok && c.args.thread_ts === message.ts && c.at >= sentAt,
      ),
    { timeoutMs: 10_000, what: `first text for "${text}"` },
  );
  const req = claude.requests.find((r) => r.at >= sentAt && JSON.stringify(r.body.messages).includes(text));
  const toClaude = req ? req.at - delivery.sentAt('app_mention', message.ts) : Number.NaN;
  const firstToken = req ? req.at + FIRST_TOKEN_MS : Number.NaN;
  return { toClaude, toSlack: call.at - firstToken, total: call.at - sentAt };
}

function summarise(samples: Sample[]) {
  return {
    toClaude: summary(samples.map((s) => s.toClaude).filter((n) => !Number.isNaN(n))),
    toSlack: summary(samples.map((s) => s.toSlack).filter((n) => !Number.isNaN(n))),
    total: summary(samples.map((s) => s.total)),
  };
}

export type Overhead = ReturnType<typeof summarise>;

/** One question at a time (no contention): the bot's own overhead, or the echo app's floor. */
export async function measureOverhead(target: 'bot' | 'echo', samples: number): Promise<Overhead> {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic({
    responder: () => ({ text: 'A short answer for timing.', firstTokenDelayMs: FIRST_TOKEN_MS }),
  });
  const app = target === 'bot' ? await startBot(sim, claude) : await startEchoApp(sim, claude);
  const delivery = timedDelivery();
  sim.connectHttp({ eventsUrl: app.eventsUrl, transport: delivery.transport });
  try {
    const out: Sample[] = [];
    // The first question warms up connections and caches (users.info): not counted.
    await askTimed(sim, claude, `warm-up ${target}`, delivery);
    for (let i = 0; i < samples; i++)
      out.push(await askTimed(sim, claude, `overhead ${target} ${i}`, delivery));
    return summarise(out);
  } finally {
    await app.stop();
    await sim.close();
    await claude.close();
  }
}

export interface CacheResult {
  miss: ReturnType<typeof summary>;
  hit: ReturnType<typeof summary>;
  identical: number;
  claudeCalls: number;
}

/**
 * Cache: each question asked twice, event → first text for the miss and for the hit. Then
 * `identical` identical questions at once while Claude is slow: how many Claude calls they cost.
 */
export async function measureCache(samples: number, identical: number): Promise<CacheResult> {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic({
    responder: () => ({ text: 'A cached answer.', firstTokenDelayMs: FIRST_TOKEN_MS }),
  });
  const { stop, eventsUrl } = await startBot(sim, claude);
  const delivery = timedDelivery();
  sim.connectHttp({ eventsUrl, transport: delivery.transport });
  try {
    await askTimed(sim, claude, 'warm-up cache', delivery);
    const miss: number[] = [];
    const hit: number[] = [];
    for (let i = 0; i < samples; i++) {
      miss.push((await askTimed(sim, claude, `cached question ${i}`, delivery)).total);
      hit.push((await askTimed(sim, claude, `cached question ${i}`, delivery)).total);
    }
    claude.setResponder(() => ({ text: 'One answer for all.', firstTokenDelayMs: 1000 }));
    const before = claude.requests.length;
    const posts = await Promise.all(
      Array.from({ length: identical }, () =>
        sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> the same question` }),
      ),
    );
    await sim.waitFor(
      () =>
        posts.every(({ message }) =>
          sim.thread('C0GENERAL', message.ts).some((m) => m.user === sim.botUserId && !m.streaming),
        ),
      { timeoutMs: 20_000, what: 'every identical question answered' },
    );
    return {
      miss: summary(miss),
      hit: summary(hit),
      identical,
      claudeCalls: claude.requests.length - before,
    };
  } finally {
    await stop();
    await sim.close();
    await claude.close();
  }
}

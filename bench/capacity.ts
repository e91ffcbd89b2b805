import { Redis } from 'ioredis';
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { spawnNode } from './process.js';
import { botEnv } from './setup.js';
import { until } from './stats.js';

export interface CapacityOptions {
  requestsPerMinute: number;
  /** Length of the measured window. */
  seconds: number;
  /** Demand before the window: both buckets (Claude's and the bot's) start full and need ~30 s to empty at 3×. */
  warmupSeconds: number;
  replicas: 1 | 2;
  redisUrl: string;
}

export interface CapacityResult {
  /** Requests Claude answered per minute once its initial bucket was spent. */
  achievedPerMinute: number;
  limited: number;
  offeredPerMinute: number;
}

/**
 * Claude capacity used: a fake Claude that enforces the limit as a token bucket (capacity one
 * minute, refilled continuously; 429 with retry-after beyond it) and 3× the limit in demand.
 * Both buckets start full, so demand runs `warmupSeconds` first (at 3× they are empty after
 * 30 s); the figure is the steady rate over the next `seconds`, not the free first minute. With
 * two replicas, each has its own Slack (half the demand) and they share limits through Redis.
 */
export async function measureCapacity(o: CapacityOptions): Promise<CapacityResult> {
  const rpm = o.requestsPerMinute;
  let tokens = rpm;
  let last = Date.now();
  let limited = 0;
  const granted: number[] = [];
  const claude = await startFakeAnthropic({
    responder: () => {
      const now = Date.now();
      tokens = Math.min(rpm, tokens + ((now - last) * rpm) / 60_000);
      last = now;
      if (tokens < 1) {
        limited++;
        return { status: 429, headers: { 'retry-after': '1' } };
      }
      tokens -= 1;
      granted.push(now);
      return { text: 'ok', firstTokenDelayMs: 20 };
    },
  });
  const prefix = `bench-${process.pid}-${Date.now()}:`;
  const shared: Record<string, string> =
    o.replicas === 2 ? { REDIS_URL: o.redisUrl, REDIS_KEY_PREFIX: prefix } : {};
  const sims = await Promise.all(
    Array.from({ length: o.replicas }, () => SlackSim.start({ rateLimits: NO_RATE_LIMITS })),
  );
  // Each replica is the built bot in a process of its own, as in production: sharing this
  // process with the simulated Slack and Claude, it would be paced by their work, not its limit.
  const bots = [];
  for (const sim of sims) {
    const env = botEnv(sim, claude, {
      CLAUDE_REQUESTS_PER_MINUTE: String(rpm),
      CLAUDE_MAX_CONCURRENT: '20',
      // Ten seconds of work: enough to keep the limiter busy; beyond it people are told "busy".
      CLAUDE_MAX_QUEUED: String(Math.max(20, Math.round(rpm / 6))),
      CACHE_TTL_SECONDS: '0',
      STREAM_APPENDS_PER_MINUTE: '10000',
      ...shared,
    });
    const bot = await spawnNode('dist/main.js', env, '/readyz', true);
    bots.push(bot);
    sim.connectHttp({ eventsUrl: `http://127.0.0.1:${bot.port}/slack/events` });
  }
  try {
    let n = 0;
    const ask = () => {
      const sim = sims[n % sims.length] as SlackSim;
      void sim.post({ user: 'U0ALICE', channel: 'C0GENERAL', text: `<@${sim.botUserId}> load ${n++}` });
    };
    const perSecond = (3 * rpm) / 60;
    const start = Date.now();
    const from = start + o.warmupSeconds * 1000;
    const to = from + o.seconds * 1000;
    for (let i = 0; start + (i * 1000) / perSecond < to; i++) {
      await until(start + (i * 1000) / perSecond);
      ask();
    }
    await until(to);
    const inWindow = granted.filter((t) => t > from && t <= to).length;
    return { achievedPerMinute: (inWindow * 60) / o.seconds, limited, offeredPerMinute: 3 * rpm };
  } finally {
    for (const b of bots) await b.stop();
    for (const sim of sims) await sim.close();
    await claude.close();
    if (o.replicas === 2) await dropKeys(o.redisUrl, prefix);
  }
}

/** Removes this run's keys (only its own prefix). */
async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    // Bottleneck names its keys b_<id>_…; everything else starts with the prefix.
    for (const pattern of [`${prefix}*`, `b_{${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

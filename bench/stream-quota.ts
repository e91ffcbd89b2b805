/**
 * A busy workspace against Slack's stream quota: `mentions` questions in one channel, spread over
 * `seconds`, against a simulated Slack that enforces Tier 2 on chat.startStream (20 a minute per
 * workspace, Retry-After 30). Measures the time from the first mention to the last whole answer
 * (every answer complete, with its feedback buttons), the wait after the last mention, and the
 * `ratelimited` answers Slack gave. The baseline is one question in an idle workspace: the time to
 * its whole answer is what the last person of the burst would wait without the burst.
 */
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { WRITE_BUDGETS } from '../src/slack/write/write-quota.js';
import { startBot } from './setup.js';
import { until } from './stats.js';

export interface StreamQuotaResult {
  /** Milliseconds from the first mention to the last whole answer; NaN if one never came. */
  lastAnswerMs: number;
  /** Milliseconds from the last mention to the last whole answer. */
  tailMs: number;
  ratelimited: number;
  /** Answers written as posted messages instead of streams. */
  posted: number;
}

const ANSWER = `${'Here is **more** detail on that point. '.repeat(20)}`.trim();

async function run(mentions: number, seconds: number): Promise<StreamQuotaResult> {
  const sim = await SlackSim.start();
  const claude = await startFakeAnthropic({ responder: () => ({ text: ANSWER, chunkSize: 60 }) });
  // The bot's own budgets, as shipped: this row measures them against Slack's tiers.
  const bot = await startBot(
    sim,
    claude,
    { CLAUDE_MAX_CONCURRENT: '10', CACHE_TTL_SECONDS: '0' },
    { slackWriteBudgets: WRITE_BUDGETS },
  );
  try {
    const general = sim.state.conversations.get('C0GENERAL');
    const people = Array.from({ length: mentions }, (_, i) => {
      const id = `U0B${String(i).padStart(3, '0')}`;
      sim.addUser({ id, name: `p${i}`, real_name: `P ${i}`, display_name: `p${i}` });
      general?.members.push(id);
      return id;
    });
    const began = Date.now();
    const asked: string[] = [];
    for (const [i, user] of people.entries()) {
      await until(began + (i * seconds * 1000) / mentions);
      const { message } = await sim.post({ user, channel: 'C0GENERAL', text: `<@${sim.botUserId}> q${i}` });
      asked.push(message.ts);
    }
    const whole = (ts: string) => {
      const replies = sim.thread('C0GENERAL', ts).filter((m) => m.user === sim.botUserId && m.ts !== ts);
      return (
        replies.length > 0 &&
        replies.every((m) => !m.streaming) &&
        replies.some((m) => JSON.stringify(m.blocks ?? []).includes('feedback_buttons'))
      );
    };
    const lastAsked = Date.now();
    const lastAnswerMs = await sim
      .waitFor(() => asked.every(whole) && Date.now() - began, { timeoutMs: 120_000, what: 'every answer' })
      .catch(() => Number.NaN);
    return {
      lastAnswerMs,
      tailMs: began + lastAnswerMs - lastAsked,
      ratelimited: sim.rateLimited().length,
      posted: asked.length - sim.callsTo('chat.startStream').filter((c) => c.ok).length,
    };
  } finally {
    await bot.stop();
    await sim.close();
    await claude.close();
  }
}

/** The burst against Slack's tiers, and one question alone (baseline). */
export async function measureStreamQuota(
  mentions: number,
  seconds: number,
): Promise<{ burst: StreamQuotaResult; alone: StreamQuotaResult }> {
  const burst = await run(mentions, seconds);
  const alone = await run(1, 0);
  return { burst, alone };
}

/**
 * One workspace at Slack's rate tiers must not slow another's answers: Slack counts every method's
 * tier per workspace, and so does the bot (its write budgets, its stream pacing). One bot installed
 * in workspaces A and B (OAuth, the simulated Slack enforcing every tier per workspace). B asks
 * `questions` one a second, first alone, then while A's channel receives `burst` mentions within
 * `burstSeconds` (past chat.startStream's Tier 2: A's answers fall back to post + update, which
 * reach chat.update's Tier 3 and the channel's posting limit). Measures each of B's answers from
 * the mention to the whole answer (streamed, closed, feedback buttons shown): p50 and p95 alone and
 * beside A, in the same run. B's two phases together stay within B's own start quota (20 a
 * minute, with one question to warm up), so what B's answers show is A's effect alone. Claude's own limits are set out of the way: they are shared on
 * purpose (one Anthropic account), and this row is about Slack's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { WRITE_BUDGETS } from '../src/slack/write/write-quota.js';
import { enableOAuth, installThroughBrowser, multiWorkspaceEnv } from '../test/support/installs.js';
import { startBot } from './setup.js';
import { percentile, until } from './stats.js';

interface Times {
  p50: number;
  p95: number;
  firstP50: number;
  firstP95: number;
}

export interface WorkspaceQuotaResult {
  /** B's answers alone: p50, p95 (ms) to the whole answer and to its first words. */
  alone: Times;
  /** B's answers while A is saturated. */
  beside: Times;
  /** Slack's `ratelimited` answers, by workspace, during the burst. */
  ratelimitedA: number;
  ratelimitedB: number;
  /** A's answers written as posted messages instead of streams (its start quota spent). */
  postedA: number;
  /** B's answers beside A written as posted messages instead of streams (0: A spent none of B's starts). */
  postedB: number;
  /** A's answers all whole by the end (ms after its first mention); NaN if one never came. */
  lastAnswerA: number;
}

const ANSWER = `${'Here is **more** detail on that point. '.repeat(20)}`.trim();

/** A workspace with one channel that has the bot and `people` members. */
function workspace(sim: SlackSim, id: string, people: number) {
  const tag = id.slice(1);
  sim.addTeam({ id, name: `Team ${tag}` });
  const users = Array.from({ length: people }, (_, i) => {
    const user = `U${tag}${String(i).padStart(3, '0')}`;
    sim.addUser({ id: user, name: `p-${tag.toLowerCase()}-${i}`, team_id: id });
    return user;
  });
  const channel = `C${tag}1`;
  sim.addTeamConversation(id, { id: channel, name: `general-${tag.toLowerCase()}`, members: users });
  return { id, users, channel };
}

export async function measureWorkspaceQuota(
  questions: number,
  burst: number,
  burstSeconds: number,
): Promise<WorkspaceQuotaResult> {
  const sim = await SlackSim.start();
  const claude = await startFakeAnthropic({
    responder: () => ({ text: ANSWER, chunkSize: 60, chunkDelayMs: 200 }),
  });
  const dir = mkdtempSync(join(tmpdir(), 'scb-bench-quota-'));
  const bot = await startBot(
    sim,
    claude,
    {
      ...multiWorkspaceEnv({ STATE_DIR: dir }),
      CLAUDE_MAX_CONCURRENT: '100',
      CLAUDE_REQUESTS_PER_MINUTE: '100000',
      CACHE_TTL_SECONDS: '0',
    },
    // The bot's own budgets, as shipped: this row measures them against Slack's tiers.
    { slackWriteBudgets: WRITE_BUDGETS },
  );
  try {
    const a = workspace(sim, 'TWSA', burst);
    const b = workspace(sim, 'TWSB', 1);
    enableOAuth(sim, bot.port);
    for (const w of [a, b]) {
      const done = await installThroughBrowser(bot.port, w.id);
      if (done.status !== 200) throw new Error(`install in ${w.id}: ${done.status}`);
    }
    const whole = (channel: string, ts: string) => {
      const replies = sim.thread(channel, ts).filter((m) => m.user === sim.botUserId && m.ts !== ts);
      return (
        replies.length > 0 &&
        replies.every((m) => !m.streaming) &&
        replies.some((m) => JSON.stringify(m.blocks ?? []).includes('feedback_buttons'))
      );
    };
    /** The first words of the answer are shown (streamed or posted), not only the status. */
    const shown = (channel: string, ts: string) =>
      sim
        .thread(channel, ts)
        .some(
          (m) => m.user === sim.botUserId && m.ts !== ts && /\w{4}/.test(m.text.replace(/_Thinking…_/, '')),
        );
    /**
     * B asks one question a second; resolves with each answer's times from the mention: to its
     * first words shown, and to the whole answer.
     */
    const askB = async (): Promise<{ first: number[]; whole: number[] }> => {
      const began = Date.now();
      const times: Array<Promise<number>> = [];
      const firsts: Array<Promise<number>> = [];
      for (let i = 0; i < questions; i++) {
        await until(began + i * 1000);
        const asked = Date.now();
        const { message } = await sim.post({
          user: b.users[0] as string,
          channel: b.channel,
          text: `<@${sim.botUserId}> b${i}`,
        });
        firsts.push(
          sim
            .waitFor(() => shown(b.channel, message.ts) && Date.now() - asked, {
              timeoutMs: 120_000,
              what: `B's first words ${i}`,
            })
            .catch(() => Number.NaN),
        );
        times.push(
          sim
            .waitFor(() => whole(b.channel, message.ts) && Date.now() - asked, {
              timeoutMs: 120_000,
              what: `B's answer ${i}`,
            })
            .catch(() => Number.NaN),
        );
      }
      return { first: await Promise.all(firsts), whole: await Promise.all(times) };
    };
    const stats = (t: { first: number[]; whole: number[] }) => ({
      p50: percentile(t.whole, 50),
      p95: percentile(t.whole, 95),
      firstP50: percentile(t.first, 50),
      firstP95: percentile(t.first, 95),
    });

    // One question first, so the first measured one does not pay for warming up.
    const { message: first } = await sim.post({
      user: b.users[0] as string,
      channel: b.channel,
      text: `<@${sim.botUserId}> hello`,
    });
    await sim.waitFor(() => whole(b.channel, first.ts), { timeoutMs: 30_000, what: "B's first answer" });
    const alone = stats(await askB());

    const before = sim.rateLimited().length;
    const startsBefore = sim.callsTo('chat.startStream').filter((c) => c.ok).length;
    const burstBegan = Date.now();
    const askedA: string[] = [];
    const burstDone = (async () => {
      for (const [i, user] of a.users.entries()) {
        await until(burstBegan + (i * burstSeconds * 1000) / burst);
        const { message } = await sim.post({ user, channel: a.channel, text: `<@${sim.botUserId}> a${i}` });
        askedA.push(message.ts);
      }
    })();
    // B begins while A's first answers stream (20 a minute, chat.startStream's Tier 2) and goes on
    // while A's later ones fall back to post + update (chat.update's Tier 3).
    await sim.waitFor(() => askedA.length >= 5, { timeoutMs: 60_000, what: "A's burst" });
    const startsB = sim
      .callsTo('chat.startStream')
      .filter((c) => c.ok && c.args.channel === b.channel).length;
    const besideTimes = await askB();
    const postedB =
      questions -
      (sim.callsTo('chat.startStream').filter((c) => c.ok && c.args.channel === b.channel).length - startsB);
    const beside = stats(besideTimes);
    await burstDone;
    const lastAnswerA = await sim
      .waitFor(() => askedA.every((ts) => whole(a.channel, ts)) && Date.now() - burstBegan, {
        timeoutMs: 180_000,
        what: "A's answers",
      })
      .catch(() => Number.NaN);
    const limited = sim.rateLimited().slice(before);
    const streamedA = sim
      .callsTo('chat.startStream')
      .slice(startsBefore)
      .filter((c) => c.ok && c.args.channel === a.channel).length;
    return {
      alone,
      beside,
      ratelimitedA: limited.filter((c) => c.team === a.id).length,
      ratelimitedB: limited.filter((c) => c.team === b.id).length,
      postedA: askedA.length - streamedA,
      postedB,
      lastAnswerA,
    };
  } finally {
    await bot.stop();
    await sim.close();
    await claude.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

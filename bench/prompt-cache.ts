import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS } from '../sandbox/slack/rate-limits.js';
import { SlackSim } from '../sandbox/slack/sim.js';
import { startBot } from './setup.js';

/**
 * Three channels, each with a profile of its own (prompt, tools) in the profiled run. The model
 * stays the same: Anthropic's minimum cacheable prompt depends on the model, which would measure
 * the model, not the profiles.
 */
const PROFILES = `
profiles:
  - name: support
    channels: [C0SUP]
    system_prompt: You are the help desk of Acme. Answer in a few friendly sentences and link the docs.
  - name: engineering
    channels: [C0ENG]
    web_search: { max_uses: 3 }
  - name: research
    channels: [C0GENERAL]
    system_prompt: You are a research assistant. Say where each fact comes from.
    web_fetch: { allowed_domains: [docs.example.com] }
`;

const CHANNELS = ['C0SUP', 'C0ENG', 'C0GENERAL'];
/** An answer of about 600 tokens, the size of a typical explanation. */
const ANSWER = `Here is what I would check first. ${'The deploy job waits on the batch export, so a slow export delays it. '.repeat(34)}`;

/**
 * Prompt caching with and without channel profiles: the same conversations (threads of several
 * questions in three channels) asked of a bot without profiles and of one where each channel has
 * its own prompt, model and tools. The fake API models Anthropic's prompt cache (breakpoints,
 * 20-block lookback, 1,024-token minimum); the share is the bot's own count of input tokens read
 * from the cache (slackbot_claude_tokens_total), as an operator's dashboard would show it.
 */
export async function measurePromptCache(threads = 4, questions = 4) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-profiles-'));
  const file = path.join(dir, 'profiles.yml');
  writeFileSync(file, PROFILES);
  try {
    const plain = await run({}, threads, questions);
    const profiled = await run({ CLAUDE_PROFILES_FILE: file }, threads, questions);
    return { plain, profiled };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(env: Record<string, string>, threads: number, questions: number) {
  const sim = await SlackSim.start({ rateLimits: NO_RATE_LIMITS });
  const claude = await startFakeAnthropic({ responder: () => ({ text: ANSWER }) });
  for (const id of ['C0SUP', 'C0ENG'])
    sim.addConversation({ id, name: id.slice(2).toLowerCase(), members: ['U0ALICE', sim.botUserId] });
  const bot = await startBot(sim, claude, { CACHE_TTL_SECONDS: '0', ...env });
  try {
    for (let t = 0; t < threads; t++) {
      for (const channel of CHANNELS) {
        const parent = await sim.post({
          user: 'U0ALICE',
          channel,
          text: `<@${sim.botUserId}> Thread ${t} in ${channel}: ${'Our deploys fail on Mondays after the weekend batch export finishes late. '.repeat(20)}`,
        });
        await replies(sim, channel, parent.message.ts, 1);
        for (let q = 2; q <= questions; q++) {
          await sim.post({
            user: 'U0ALICE',
            channel,
            thread_ts: parent.message.ts,
            text: `<@${sim.botUserId}> Follow-up ${q}: what about the export on day ${q}?`,
          });
          await replies(sim, channel, parent.message.ts, q);
        }
      }
    }
    const values = (await bot.bot.metrics.tokens.get()).values;
    const sum = (type: string) =>
      values.filter((v) => v.labels.type === type).reduce((s, v) => s + v.value, 0);
    const read = sum('cache_read');
    const input = sum('input') + read + sum('cache_write');
    return { requests: claude.requests.length, read, input, share: input ? read / input : 0 };
  } finally {
    await bot.stop();
    await sim.close();
    await claude.close();
  }
}

function replies(sim: SlackSim, channel: string, ts: string, n: number) {
  return sim.waitFor(
    () => {
      const r = sim.thread(channel, ts).filter((m) => m.user === sim.botUserId && m.ts !== ts);
      return r.length >= n && r.every((m) => !m.streaming) ? r : undefined;
    },
    { timeoutMs: 30_000, what: `${n} answers in ${channel}/${ts}` },
  );
}

import Anthropic from '@anthropic-ai/sdk';
import { App, LogLevel } from '@slack/bolt';
import type { FakeAnthropic } from '../sandbox/claude/fake-anthropic.js';
import { NO_WRITE_BUDGETS } from '../sandbox/slack/rate-limits.js';
import type { SlackSim } from '../sandbox/slack/sim.js';
import { type Bot, type BotOverrides, createBot } from '../src/bot.js';
import { parseConfig } from '../src/config/config.js';
import { createLogger } from '../src/platform/logger.js';

export const BENCH_KEY = 'sk-ant-bench-0123456789';

/** The bot's environment against the simulated Slack and fake Claude (loopback only). */
export function botEnv(sim: SlackSim, claude: FakeAnthropic, extra: Record<string, string> = {}) {
  return {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_SIGNING_SECRET: sim.signingSecret,
    SLACK_API_URL: sim.apiUrl,
    ANTHROPIC_API_KEY: BENCH_KEY,
    ANTHROPIC_BASE_URL: claude.url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    CLAUDE_MAX_RETRIES: '2',
    SHUTDOWN_GRACE_MS: '0',
    ...extra,
  };
}

/**
 * The real bot (createBot), started and connected to the sim over HTTP, with its Slack write
 * budgets off: these rows measure the bot's own costs, the stream-quota row its budgets.
 */
export async function startBot(
  sim: SlackSim,
  claude: FakeAnthropic,
  extra: Record<string, string> = {},
  overrides: BotOverrides = {},
) {
  const config = parseConfig(botEnv(sim, claude, extra));
  const bot: Bot = createBot(config, {
    logger: createLogger({ level: 'silent' }),
    slackWriteBudgets: NO_WRITE_BUDGETS,
    ...overrides,
  });
  const { port } = await bot.start();
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  sim.connectHttp({ eventsUrl });
  return { bot, port, eventsUrl, stop: () => bot.stop() };
}

/**
 * The shortest possible pipeline: on a mention, stream from Claude at once (no claim, history,
 * queue or cache) and post the first text with chat.postMessage. Its timings are the floor of
 * "event → Claude request" and "first token → first text in Slack".
 */
export async function startEchoApp(sim: SlackSim, claude: FakeAnthropic) {
  const app = new App({
    token: sim.botToken,
    signingSecret: sim.signingSecret,
    clientOptions: { slackApiUrl: sim.apiUrl },
    processBeforeResponse: false,
    logLevel: LogLevel.ERROR,
  });
  const anthropic = new Anthropic({ apiKey: BENCH_KEY, baseURL: claude.url, maxRetries: 0 });
  app.event('app_mention', async ({ event, client }) => {
    const stream = anthropic.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: event.text }],
    });
    let posted = false;
    stream.on('text', (delta) => {
      if (posted) return;
      posted = true;
      void client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: delta });
    });
    await stream.finalMessage().catch(() => {});
  });
  app.message(async () => {});
  const server = (await app.start(0)) as unknown as { address(): { port: number } };
  const eventsUrl = `http://127.0.0.1:${server.address().port}/slack/events`;
  sim.connectHttp({ eventsUrl });
  return { eventsUrl, stop: () => app.stop() };
}

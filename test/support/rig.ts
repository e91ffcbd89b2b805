import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { type FakeAnthropic, startFakeAnthropic } from '../../sandbox/claude/fake-anthropic.js';
import { NO_RATE_LIMITS, NO_WRITE_BUDGETS } from '../../sandbox/slack/rate-limits.js';
import { SlackSim } from '../../sandbox/slack/sim.js';
import { type Bot, type BotOverrides, createBot } from '../../src/bot.js';
import { parseConfig, secretValues } from '../../src/config/config.js';
import { createLogger } from '../../src/platform/logger.js';

/** Every log line written by any bot in this test process: the secret scan reads them. */
export const allLogLines: string[] = [];

export const TEST_ANTHROPIC_KEY = 'sk-ant-test-key-0123456789abcdef';

/** The simulated Slack and the fake Claude on loopback, closed after the test (for bots run as processes). */
export async function startFakes(t: TestContext): Promise<{ sim: SlackSim; claude: FakeAnthropic }> {
  const sim = await SlackSim.start();
  const claude = await startFakeAnthropic();
  t.after(async () => {
    await sim.close();
    await claude.close();
  });
  return { sim, claude };
}

/** The settings that point a bot at the simulated Slack and the fake Claude, on a free port. */
export function botEnv(sim: SlackSim, claude: FakeAnthropic): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: sim.botToken,
    SLACK_SIGNING_SECRET: sim.signingSecret,
    SLACK_API_URL: sim.apiUrl,
    ANTHROPIC_API_KEY: TEST_ANTHROPIC_KEY,
    ANTHROPIC_BASE_URL: claude.url,
    PORT: '0',
  };
}

export interface Rig {
  sim: SlackSim;
  claude: FakeAnthropic;
  bot: Bot;
  port: number | undefined;
  logs: string[];
  /** Log lines parsed as JSON. */
  logEntries(): Array<Record<string, unknown>>;
}

export interface RigOptions {
  env?: Record<string, string>;
  socketMode?: boolean;
  /** Reuse an existing simulated workspace (several bots on one Slack). */
  /** A fake Anthropic to share (two processes of one deployment); default: a new one. */
  claude?: FakeAnthropic;
  sim?: SlackSim;
  /** Claim and job lease without renewal (a replica that takes over a killed one's questions quickly). */
  claimLeaseMs?: number;
  /** How often CLAUDE_PROFILES_FILE is checked for changes. */
  profilesWatchMs?: number;
  /**
   * Slack's rate tiers off, in the simulated Slack and in the bot's write budgets: for tests of many
   * questions in a burst that are not about those tiers (stream-quota.test.ts is).
   */
  noRateTiers?: boolean;
  /** The routines' clock, tick and lease (see BotOverrides.routines). */
  routines?: BotOverrides['routines'];
}

/**
 * The real bot, built by createBot, against the simulated Slack and the fake Anthropic API on
 * loopback. Everything is torn down after the test.
 */
export async function startRig(t: TestContext, opts: RigOptions = {}): Promise<Rig> {
  const sim = opts.sim ?? (await SlackSim.start(opts.noRateTiers ? { rateLimits: NO_RATE_LIMITS } : {}));
  const claude = opts.claude ?? (await startFakeAnthropic());
  const env: Record<string, string> = {
    ...botEnv(sim, claude),
    LOG_LEVEL: 'debug',
    CLAUDE_MAX_RETRIES: '0',
    SHUTDOWN_GRACE_MS: '3000',
    ...(opts.socketMode ? { SLACK_APP_TOKEN: sim.appToken } : {}),
    ...opts.env,
  };
  const config = parseConfig(env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      const line = String(chunk);
      logs.push(line);
      allLogLines.push(line);
      cb();
    },
  });
  const logger = createLogger({
    level: 'debug',
    secrets: secretValues(config),
    destination,
    messageBodies: config.logMessageBodies,
  });
  const bot = createBot(config, {
    logger,
    claimLeaseMs: opts.claimLeaseMs,
    profilesWatchMs: opts.profilesWatchMs,
    ...(opts.routines ? { routines: opts.routines } : {}),
    ...(opts.noRateTiers
      ? {
          slackWriteBudgets: NO_WRITE_BUDGETS,
        }
      : {}),
  });
  const { port } = await bot.start();
  if (!opts.socketMode) sim.connectHttp({ eventsUrl: `http://127.0.0.1:${port}/slack/events` });
  t.after(async () => {
    await bot.stop();
    if (!opts.sim) await sim.close();
    await claude.close();
    // No secret in any log line of any test that uses the rig.
    const secrets = [
      TEST_ANTHROPIC_KEY,
      sim.botToken,
      sim.signingSecret,
      sim.appToken,
      ...Object.values(opts.env ?? {}),
    ].filter((s) => /^(xox|xapp|sk-ant|sim-signing)/.test(s));
    for (const line of logs) {
      for (const s of secrets)
        assert.ok(!line.includes(s), `a log line contains a secret: ${line.slice(0, 200)}`);
    }
  });
  return {
    sim,
    claude,
    bot,
    port,
    logs,
    logEntries: () => logs.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The text of a user turn / system prompt as sent to Claude. */
export function requestText(body: { system?: unknown; messages?: unknown }): string {
  return JSON.stringify({ system: body.system, messages: body.messages });
}

/** The sample lines of one metric of the bot (no # HELP / # TYPE lines). */
export async function metricLines(bot: Pick<Bot, 'metrics'>, name: string): Promise<string[]> {
  return (await bot.metrics.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((l) => !l.startsWith('#') && l.trim());
}

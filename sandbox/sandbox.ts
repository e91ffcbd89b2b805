import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Bot, type BotOverrides, createBot } from '../src/bot.js';
import { type Config, isPlaceholder, parseConfig } from '../src/config/config.js';
import { type SandboxClaude, startSandboxClaude } from './claude/sandbox-claude.js';
import { startWebServer, type WebServer } from './page/server.js';
import { DIGESTS_CHANNEL, SandboxProfiles } from './profiles.js';
import { seedHistory } from './slack/seed-history.js';
import { SlackSim } from './slack/sim.js';
import { GLOBEX, installThroughOAuth, sandboxOAuth, seedGlobex } from './workspaces.js';

/**
 * A running sandbox: simulated Slack with two workspaces (its own and Globex), Claude (offline or
 * real), the real bot installed in both, and the page.
 */
export interface Sandbox {
  /** The page, e.g. http://127.0.0.1:3030/ */
  url: string;
  sim: SlackSim;
  bot: Bot;
  claude: SandboxClaude;
  config: Config;
  /** The sandbox's own profiles file, which the panel edits; undefined with CLAUDE_PROFILES_FILE set. */
  profiles: SandboxProfiles | undefined;
  close(): Promise<void>;
}

export interface SandboxOptions {
  /** The environment (after .env): Claude settings and bot behaviour come from here. */
  env: Record<string, string | undefined>;
  /** Port of the page; 0 = any free port. */
  port: number;
  /** The routines' clock (tests run the demo routines' minutes in moments). */
  routines?: BotOverrides['routines'];
}

/**
 * Settings that would connect the sandbox to something real besides Claude: a workspace's
 * tokens and URL (a developer's .env usually has them), a shared Redis, or the state folder of a
 * real bot (its installations and questions). The sim and a folder of the sandbox's own replace them.
 */
const NOT_FROM_ENV = /^(SLACK_|REDIS_URL|PORT$|STATE_DIR$)/;

/** Whether the real Claude API is used: a key (or key file) is set. */
export function usesRealClaude(env: Record<string, string | undefined>): boolean {
  return Boolean(fromEnv(env).ANTHROPIC_API_KEY || env.ANTHROPIC_API_KEY_FILE);
}

/** The settings the sandbox takes from the environment: no Slack or Redis, no .env.example placeholders. */
function fromEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).filter(([k, v]) => !NOT_FROM_ENV.test(k) && !isPlaceholder(v)),
  );
}

/**
 * Starts everything on 127.0.0.1. The bot is built by createBot from the same schema as
 * production and gets its events signed over HTTP from the simulated Slack. Two workspaces need
 * multi-workspace mode (one SLACK_BOT_TOKEN speaks for one workspace only): the bot runs with
 * SLACK_CLIENT_ID and friends, and is installed in each workspace through /slack/install at start.
 * Throws ConfigError for a malformed setting in `env`.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const cleanups: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  };
  try {
    const sim = await SlackSim.start();
    cleanups.push(() => sim.close());
    seedHistory(sim);
    seedGlobex(sim);
    sim.addConversation({
      ...DIGESTS_CHANNEL,
      members: [
        ...sim
          .users()
          .filter((u) => !u.is_bot)
          .map((u) => u.id),
        sim.botUserId,
      ],
    });
    const env = fromEnv(opts.env);
    // Without a profiles file of the operator's, the sandbox writes one the panel can switch; with
    // the offline model it shows routines too.
    const profiles = env.CLAUDE_PROFILES_FILE
      ? undefined
      : SandboxProfiles.create({ routines: !usesRealClaude(opts.env), team: sim.team.id });
    if (profiles) cleanups.push(async () => profiles.remove());
    const claude = await startSandboxClaude(usesRealClaude(opts.env), {
      profileOf: profiles && ((body) => profiles.profileOf(body)),
    });
    cleanups.push(() => claude.close());
    // The installations (and the journal of questions) live here, for this run only.
    const stateDir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }));
    const oauth = sandboxOAuth(stateDir);

    const config = parseConfig({
      LOG_LEVEL: 'warn',
      // Ctrl-C should not wait long for answers still streaming into a page nobody watches.
      SHUTDOWN_GRACE_MS: '2000',
      // Short enough that the "timeout" fault of the panel shows its message within seconds.
      // After a simulated outage the circuit probes again within seconds, not the default 30.
      ...(claude.mode === 'offline'
        ? { CLAUDE_FIRST_TOKEN_TIMEOUT_MS: '8000', CLAUDE_BREAKER_RESET_MS: '5000' }
        : {}),
      ...env,
      ...(profiles ? { CLAUDE_PROFILES_FILE: profiles.file } : {}),
      ...claude.env,
      ...oauth.env,
      SLACK_SIGNING_SECRET: sim.signingSecret,
      SLACK_API_URL: sim.apiUrl,
      PORT: '0',
    });
    const bot = createBot(config, opts.routines ? { routines: opts.routines } : {});
    const { port: botPort } = await bot.start();
    cleanups.push(() => bot.stop());
    const botUrl = `http://127.0.0.1:${botPort}`;
    sim.connectHttp({ eventsUrl: `${botUrl}/slack/events` });
    sim.enableOAuth({ ...oauth.app, redirectUrls: [`${botUrl}/slack/oauth_redirect`] });
    for (const team of [sim.team.id, GLOBEX.id]) await installThroughOAuth(botUrl, team);

    const web: WebServer = await startWebServer({ sim, bot, claude, config, profiles, port: opts.port });
    cleanups.push(() => web.close());
    return { url: web.url, sim, bot, claude, config, profiles, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

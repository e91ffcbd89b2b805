import type { App } from '@slack/bolt';
import type Keyv from 'keyv';
import { createAsk } from './ask/index.js';
import { SharedFileReader } from './claude/shared-files.js';
import type { Config } from './config/config.js';
import { install as installAnswers } from './features/answers/index.js';
import type { ProfileResolver } from './features/deps.js';
import { install as installFeedback } from './features/feedback/index.js';
import { install as installHome } from './features/home/index.js';
import { install as installInstalls } from './features/installs/index.js';
import { createMemory } from './features/memory/index.js';
import { Profiles } from './features/profiles/index.js';
import { install as installRoutines, type RoutineOptions } from './features/routines/index.js';
import type { RoutineScheduler } from './features/routines/scheduler.js';
import { install as installSearch } from './features/search/index.js';
import { install as installSummaries } from './features/summaries/index.js';
import type { ClaimStore } from './limits/claims.js';
import { FileMemory } from './limits/file-memory.js';
import { createLimits } from './limits/index.js';
import { createPlatform } from './platform/index.js';
import type { Logger } from './platform/logger.js';
import type { Metrics } from './platform/metrics.js';
import { TeamData } from './platform/team-data.js';
import { AccessPolicy } from './slack/access.js';
import { createSlack } from './slack/index.js';
import type { Identity } from './slack/read/messages.js';
import { type EngineLink, readyLine } from './slack/receive/front.js';
import type { BootingFront } from './slack/receive/front-thread.js';
import { createReceiving } from './slack/receive/index.js';
import type { WRITE_BUDGETS } from './slack/write/write-quota.js';

/** Replaceable parts, for tests and the sandbox. */
export interface BotOverrides {
  logger?: Logger;
  store?: Keyv;
  claims?: ClaimStore;
  now?: () => Date;
  /** Claim and single-flight lease without renewal (tests of a process that dies mid-answer). */
  claimLeaseMs?: number;
  /** Reads the current Anthropic key (rotation); default: the configured one. */
  anthropicKey?: () => string;
  /**
   * Runs the front (receiving and acks) in a worker thread of its own: true boots it now; src/main.ts
   * boots it before loading the bot (bootFrontThread) and passes it here.
   */
  frontThread?: boolean | BootingFront;
  /** Told when the front's thread dies: the bot hears nothing more from Slack. */
  onFrontFailure?: (err: Error) => void;
  /** How often CLAUDE_PROFILES_FILE is checked for changes; default 10 s. */
  profilesWatchMs?: number;
  /** Other budgets for Slack's write methods than their tiers (tests that are not about them). */
  slackWriteBudgets?: typeof WRITE_BUDGETS;
  /** The routines' clock, tick and lease (tests run several scheduled slots in seconds). */
  routines?: RoutineOptions;
}

export interface Bot {
  readonly app: App;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly identity: Identity;
  /** Connects to Slack (auth.test) and Redis, then listens; resolves with the port(s) and front thread id. */
  start(): Promise<{ port: number | undefined; opsPort?: number; frontThreadId?: number }>;
  /** Stops taking work, lets running answers finish within the grace period, closes clients. */
  stop(): Promise<void>;
  /** Takes rotated secrets (re-read from *_FILE): the API key and bot token; nothing in flight stops. */
  reloadSecrets(next: Config): void;
  /** Re-reads CLAUDE_PROFILES_FILE; a bad file keeps the profiles in effect (false). */
  reloadProfiles(reason: string): boolean;
  /** The profiles in effect and the one a place gets (the sandbox panel shows them). */
  readonly profiles: ProfileResolver;
  /** Claude calls waiting and running now (the sandbox panel shows them). */
  queue(): { waiting: number; running: number };
  /** The routines' scheduler (started with the bot). */
  readonly routines: RoutineScheduler;
  isReady(): boolean;
}

/** The composition root: platform → limits → Slack → features → lifecycle. No module-level state. */
export function createBot(config: Config, overrides: BotOverrides = {}): Bot {
  const platform = createPlatform(config, overrides);
  const { log, metrics } = platform;
  let apiKey = config.anthropic.apiKey;
  const slack = createSlack(config, platform, overrides.slackWriteBudgets);
  // Files shared in a conversation reach Claude: downloaded by slack/, made content blocks by
  // claude/, within the file memory of the process.
  const sharedFiles = new SharedFileReader({
    source: slack.files,
    limits: config.files,
    memory: new FileMemory(config.files.memoryMaxBytes),
  });
  const access = new AccessPolicy(config.access, slack.readClient, slack.directory, log);
  const profiles = new Profiles(config, slack.readClient, log, metrics.profileReloads);
  const limits = createLimits(config, platform, {
    apiKey: overrides.anthropicKey ?? (() => apiKey),
    claims: overrides.claims,
    claimLeaseMs: overrides.claimLeaseMs,
    now: overrides.now,
  });
  const ask = createAsk(limits, profiles, { summariesMaxConcurrent: config.bot.summariesMaxConcurrent, log });
  let ready = false;
  let stopping = false;

  // What uninstalling a workspace deletes: each part that keeps something of one adds a hook.
  const teamData = new TeamData({
    redis: platform.redis,
    prefix: config.redisKeyPrefix,
    store: platform.store,
    log,
  });
  teamData.onForget('installation', async (team) => slack.installer?.forget(team));
  teamData.onForget('jobs', async ({ teamId }) => limits.jobs?.forgetTeam(teamId));
  teamData.onForget('usage', async ({ teamId }) => limits.usage.forgetTeam(teamId));
  const deps = {
    config,
    platform,
    limits,
    slack,
    access,
    profiles,
    ask,
    files: sharedFiles,
    teamData,
    now: overrides.now,
  };
  const memory = createMemory(deps);
  const answers = installAnswers(slack.app, {
    ...deps,
    claimLeaseMs: overrides.claimLeaseMs,
    stopping: () => stopping,
    commands: [(job, words) => memory.command(job, words)],
    channelFacts: (place) => memory.factsFor(place),
    tools: installSearch(deps),
  });
  const digests = installSummaries(slack.app, { ...deps, track: (work) => answers.track(work) });
  const routines = installRoutines({
    ...deps,
    digests,
    ...(overrides.routines ? { routines: overrides.routines } : {}),
  });
  installInstalls(slack.app, deps);
  installHome(slack.app, {
    ...deps,
    feedback: installFeedback(slack.app, deps),
    prompts: () => profiles.dmPrompts(),
    memory: (team) => memory.overview(team),
  });

  const link: EngineLink = {
    deliver: (request, ack) => slack.receiver.dispatch(request, ack),
    health: () => ({ ready: ready && !stopping, redisOk: platform.redisOk(), alive: true }),
    metrics: async () => ({
      contentType: metrics.registry.contentType,
      text: await metrics.registry.metrics(),
    }),
    acked: (type, seconds) => metrics.ack.observe({ type }, seconds),
    unaccepted: () => metrics.jobs.inc({ event: 'acked_before_held' }),
    socket: (event) => metrics.socketConnections.inc({ event }),
    ...(slack.installer ? { web: slack.installer.serve } : {}),
  };
  const front = createReceiving(config, {
    link,
    log,
    thread: overrides.frontThread,
    onFailure: overrides.onFrontFailure,
  });

  return {
    app: slack.app,
    log,
    metrics,
    identity: slack.identity,
    queue: limits.load,
    routines,
    isReady: () => ready && !stopping,
    reloadSecrets(next) {
      platform.addSecrets(next);
      const rotated = [];
      if (next.anthropic.apiKey !== apiKey) {
        apiKey = next.anthropic.apiKey;
        rotated.push('ANTHROPIC_API_KEY');
      }
      if (slack.rotateToken(next.slack.botToken)) rotated.push('SLACK_BOT_TOKEN');
      log.info({ rotated }, rotated.length ? 'secrets rotated' : 'secrets unchanged');
    },
    reloadProfiles: (reason) => profiles.reload(reason),
    profiles,
    async start() {
      profiles.load();
      profiles.watch(overrides.profilesWatchMs);
      // Slack and Claude are checked at once (two round trips in the time of one); Slack's error first.
      const [connected, claude] = await Promise.allSettled([slack.connect(), limits.checkClaude()]);
      if (connected.status === 'rejected') throw connected.reason;
      if (claude.status === 'rejected') throw claude.reason;
      if (claude.value) log.warn(claude.value);
      if (platform.redis && !(await limits.ready(3000))) {
        log.warn('redis not reachable at start; limits are per process until it is');
      }
      ready = true;
      answers.start();
      routines.start();
      const listening = await front.start();
      log.info(readyLine(config, listening, slack.identity.botName), 'ready');
      const frontThreadId = front.threadId();
      return { ...listening, ...(frontThreadId === undefined ? {} : { frontThreadId }) };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      profiles.unwatch();
      await front.stop().catch((err) => log.warn({ err }, 'error while stopping the receiver'));
      log.info({ inflight: answers.size }, 'stopping');
      await routines.stop();
      const { finished, aborted, handedBack } = await answers.drain(config.shutdownGraceMs);
      if (handedBack) log.info({ handedBack }, 'waiting questions handed to the other replicas');
      if (aborted) log.warn({ finished, aborted }, 'grace period over; unfinished answers told to ask again');
      await limits.stop();
      slack.installer?.close();
      await platform.close();
      ready = false;
      log.info('stopped');
    },
  };
}

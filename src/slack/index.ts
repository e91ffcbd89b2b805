import type { App as BoltApp } from '@slack/bolt';
import type { Config } from '../config/config.js';
import { networkCause } from '../platform/egress.js';
import type { Platform } from '../platform/index.js';
import { boltLogger } from './logger.js';
import { createInstaller } from './oauth.js';
import { UserDirectory } from './read/directory.js';
import { SlackFileDownloads } from './read/files.js';
import { LimitedHistory } from './read/limited-history.js';
import type { Identity } from './read/messages.js';
import { Readers } from './read/readers.js';
import { loadBoltApp } from './receive/bolt-app.js';
import { ForwardedReceiver } from './receive/forwarded-receiver.js';
import { BOT_SCOPES, missingScopes } from './scopes.js';
import {
  boltClientOptions,
  countSlackCalls,
  createPostClient,
  createReadClient,
  guardWrites,
  slackErrorCode,
} from './web.js';
import { Workspaces, workspaceOfContext } from './workspaces.js';
import { MemoryWindow, RedisWindow } from './write/rate-window.js';
import { StreamPacer } from './write/stream-pacer.js';
import { type WRITE_BUDGETS, WriteQuota } from './write/write-quota.js';

const App = loadBoltApp();

/**
 * The bot's side of Slack: Bolt's app (fed by the front through a forwarded receiver), the Web API
 * clients for reading and posting, the people directory, the shared stream pacing and who the bot is.
 */
export function createSlack(
  config: Config,
  platform: Platform,
  /** Other write budgets than Slack's tiers (tests that are not about them). */
  writeBudgets?: typeof WRITE_BUDGETS,
) {
  const { log, metrics, egress } = platform;
  const slackLog = boltLogger(log);
  // Many workspaces (OAuth installs): each call takes the token of the workspace it is made for.
  const installer = config.slack.clientId
    ? createInstaller(config, { log, slackLog, redis: platform.redis, fetch: egress.fetch })
    : undefined;
  const workspaces = new Workspaces(installer?.resolve);
  const settings = {
    fetch: egress.fetch,
    token: config.slack.botToken,
    workspaces,
    apiUrl: config.slack.apiUrl,
    logger: slackLog,
    observe: countSlackCalls(metrics),
    unfurl: config.bot.unfurlLinks,
  };
  const readClient = createReadClient(settings);
  const postClient = createPostClient(settings);
  const receiver = new ForwardedReceiver();
  const own: Identity = { botUserId: '', botId: undefined, botName: 'Claude' };
  /** Who the bot is: in multi-workspace mode, in the workspace the current work is for. */
  const identity: Identity = {
    get botUserId() {
      return workspaces.current()?.botUserId ?? own.botUserId;
    },
    get botId() {
      return workspaces.multi ? workspaces.current()?.botId : own.botId;
    },
    get botName() {
      return own.botName;
    },
  };
  /** The installing workspace: people from any other are outside it (Slack Connect). */
  const home = { teamId: '' };
  /** The scopes the token was granted (auth.test), once connected; undefined when Slack did not say. */
  let granted: readonly string[] | undefined;
  const homeTeam = () => workspaces.current()?.teamId ?? home.teamId;
  // convoStore: false turns off Bolt's in-process conversation store, which nothing here reads and
  // which would cost every event a lookup that fails with a new Error.
  // Our own authorize instead of `token`: Bolt would call auth.test in its constructor (a second
  // call, and a rejection nobody handles when Slack is not reached), and this one hands listeners
  // the current token after a rotation. connect() fills in who the bot is before any event.
  const app: BoltApp = new App({
    authorize: installer
      ? async (source) => {
          try {
            return await installer.authorize(source as Parameters<typeof installer.authorize>[0]);
          } catch (err) {
            log.warn(
              { team: source.teamId, enterprise: source.enterpriseId, orgWide: source.isEnterpriseInstall },
              'event from a workspace where the app is not installed; not answered',
            );
            throw err;
          }
        }
      : async () => ({
          botToken: readClient.token,
          botUserId: own.botUserId,
          ...(own.botId ? { botId: own.botId } : {}),
        }),
    logger: slackLog,
    clientOptions: boltClientOptions(settings),
    receiver,
    convoStore: false,
  });
  // Bolt's own client (`say`, listeners' `client`) writes under the same rule as ours.
  app.use(async ({ client, next }) => {
    guardWrites(client, settings.unfurl);
    await next();
  });
  // Listeners act for the event's workspace: the bot's own clients take its token too.
  app.use(async ({ context, next }) => {
    if (!workspaces.multi || !context.botToken) return next();
    await workspaces.within(
      {
        ...workspaceOfContext(context),
        botToken: context.botToken,
        botUserId: context.botUserId ?? '',
        ...(context.botId ? { botId: context.botId } : {}),
      },
      next,
    );
  });
  app.error(async (err) => {
    log.error({ err }, 'slack listener error');
  });
  const directory = new UserDirectory(readClient);
  // Replicas on one Redis share each workspace's quotas (writes, history reads); alone, this
  // process keeps them.
  const quotaWindow = platform.redis
    ? new RedisWindow(platform.redis, `${config.redisKeyPrefix}slack-quota:`)
    : new MemoryWindow();
  return {
    app,
    receiver,
    readClient,
    postClient,
    directory,
    /** Shared files' bytes, downloaded from Slack's file hosts and checked (read for Claude in bot.ts). */
    files: new SlackFileDownloads({
      fetch: egress.fetch,
      apiUrl: config.slack.apiUrl,
      maxBytes: config.files.maxBytes,
      log,
      canvases: readClient,
    }),
    readers: new Readers(directory, readClient, log, homeTeam),
    pacer: new StreamPacer(config.bot.streamAppendsPerMinute, new WriteQuota(quotaWindow, writeBudgets)),
    /**
     * History reads within a distributed app's quota (SLACK_HISTORY_LIMITED); undefined for an
     * internal app, which reads threads as Tier 3 allows.
     */
    history: config.slack.historyLimited ? new LimitedHistory(quotaWindow, platform.store) : undefined,
    identity,
    /** The bot token's scopes as auth.test named them; undefined before connecting or when not named. */
    grantedScopes: () => granted,
    /** The workspace each piece of work acts for (multi-workspace mode). */
    workspaces,
    /** OAuth installs (multi-workspace mode): the install routes, the installations. */
    installer,
    /** The installing workspace's id (auth.test), once connected; '' before. In multi-workspace mode the current work's. */
    homeTeam,
    /**
     * Asks Slack who the bot is (auth.test). Stops start-up with one line naming the cause: Slack
     * not reached, the token refused, or a scope the manifest asks for not granted.
     */
    async connect(): Promise<void> {
      // Many workspaces: each installation was checked when it was made; there is no one token to check.
      if (installer) return;
      let auth: Awaited<ReturnType<typeof readClient.auth.test>>;
      try {
        auth = await readClient.auth.test();
      } catch (err) {
        throw new Error(connectError(err, config));
      }
      granted = auth.response_metadata?.scopes;
      const missing = missingScopes(granted);
      if (missing?.required.length) {
        throw new Error(
          `SLACK_BOT_TOKEN: the app lacks the scopes ${missing.required.join(', ')}; add them (manifest.yml lists every scope), then reinstall the app to the workspace`,
        );
      }
      if (missing?.optional.length) {
        const lacking = missing.optional.map(
          (s) => `${s} (${BOT_SCOPES.optional[s as keyof typeof BOT_SCOPES.optional]})`,
        );
        log.warn(
          { scopes: missing.optional },
          `the app lacks optional scopes: ${lacking.join(', ')}; reinstall from manifest.yml to use them`,
        );
      }
      own.botUserId = auth.user_id ?? '';
      own.botId = auth.bot_id;
      own.botName = auth.user ?? own.botName;
      home.teamId = auth.team_id ?? '';
    },
    /** Takes a rotated bot token: the next Web API call uses it. Returns whether it changed. */
    rotateToken(token: string | undefined): boolean {
      if (!token || token === readClient.token) return false;
      // WebClient reads `token` on every call; it is typed readonly but meant to be replaceable.
      for (const c of [readClient, postClient]) (c as { token?: string }).token = token;
      return true;
    },
  };
}

export type Slack = ReturnType<typeof createSlack>;

/** One line for a failed auth.test: unreachable (network, proxy) or refused (the token). */
function connectError(err: unknown, config: Config): string {
  const code = slackErrorCode(err);
  if (code === 'request_error' || code === 'http_error') {
    const why = networkCause(err) ?? code;
    const via = config.proxy.https || config.proxy.http ? ' through the proxy (HTTPS_PROXY)' : '';
    return `SLACK_API_URL: could not reach Slack at ${config.slack.apiUrl}${via} (${why}); check the network, DNS or HTTPS_PROXY`;
  }
  return `SLACK_BOT_TOKEN: Slack did not accept the token (${code ?? (err as Error).message})`;
}

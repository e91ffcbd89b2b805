import type { App as BoltApp } from '@slack/bolt';
import type { Config } from '../config/config.js';
import type { Platform } from '../platform/index.js';
import { boltLogger } from '../platform/logger.js';
import { UserDirectory } from './read/directory.js';
import type { Identity } from './read/history.js';
import { loadBoltApp } from './receive/bolt-app.js';
import { ForwardedReceiver } from './receive/forwarded-receiver.js';
import {
  boltClientOptions,
  countSlackCalls,
  createPostClient,
  createReadClient,
  slackErrorCode,
} from './web.js';
import { StreamPacer } from './write/stream-pacer.js';

const App = loadBoltApp();

/**
 * The bot's side of Slack: Bolt's app (fed by the front through a forwarded receiver), the Web API
 * clients for reading and posting, the people directory, the shared stream pacing and who the bot is.
 */
export function createSlack(config: Config, platform: Platform) {
  const { log, metrics, egress } = platform;
  const slackLog = boltLogger(log);
  const settings = {
    fetch: egress.fetch,
    token: config.slack.botToken,
    apiUrl: config.slack.apiUrl,
    logger: slackLog,
    observe: countSlackCalls(metrics),
  };
  const readClient = createReadClient(settings);
  const postClient = createPostClient(settings);
  const receiver = new ForwardedReceiver();
  // convoStore: false turns off Bolt's in-process conversation store, which nothing here reads and
  // which would cost every event a lookup that fails with a new Error.
  const app: BoltApp = new App({
    token: config.slack.botToken,
    logger: slackLog,
    clientOptions: boltClientOptions(settings),
    receiver,
    convoStore: false,
  });
  app.error(async (err) => {
    log.error({ err }, 'slack listener error');
  });
  const identity: Identity = { botUserId: '', botId: undefined, botName: 'Claude' };
  return {
    app,
    receiver,
    readClient,
    postClient,
    directory: new UserDirectory(readClient),
    pacer: new StreamPacer(config.bot.streamAppendsPerMinute),
    identity,
    /** Asks Slack who the bot is (auth.test); a token Slack refuses stops start-up with one line. */
    async connect(): Promise<void> {
      let auth: Awaited<ReturnType<typeof readClient.auth.test>>;
      try {
        auth = await readClient.auth.test();
      } catch (err) {
        const code = slackErrorCode(err) ?? (err as Error).message;
        throw new Error(`SLACK_BOT_TOKEN: Slack did not accept the token (${code})`);
      }
      identity.botUserId = auth.user_id ?? '';
      identity.botId = auth.bot_id;
      identity.botName = auth.user ?? identity.botName;
    },
    /** Takes a rotated bot token: the next Web API call uses it. Returns whether it changed. */
    rotateToken(token: string): boolean {
      if (token === readClient.token) return false;
      // WebClient reads `token` on every call; it is typed readonly but meant to be replaceable.
      for (const c of [readClient, postClient]) (c as { token?: string }).token = token;
      return true;
    },
  };
}

export type Slack = ReturnType<typeof createSlack>;

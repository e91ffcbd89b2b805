import type { LogLevel } from './parsers.js';
import type { Price } from './prices.js';

/** The validated settings, grouped by what they configure. */
export interface Config {
  slack: {
    /** One workspace's token; unset in multi-workspace mode (each installation has its own). */
    botToken: string | undefined;
    signingSecret: string;
    /** Set: Socket Mode (no public URL needed). Unset: HTTP receiver on `port`. */
    appToken: string | undefined;
    apiUrl: string;
    /** Multi-workspace installs (OAuth): set together, without botToken. */
    clientId: string | undefined;
    clientSecret: string | undefined;
    stateSecret: string | undefined;
    /** 32 bytes, base64: encrypts stored installations (AES-256-GCM). */
    installationKey: string | undefined;
    /** Where Slack sends the installer back; unset: the app's first configured redirect URL. */
    redirectUri: string | undefined;
    /** SLACK_HISTORY_LIMITED: a distributed non-Marketplace app's history quota (1 call a minute, 15 messages). */
    historyLimited: boolean;
  };
  anthropic: { apiKey: string; baseUrl: string | undefined };
  claude: {
    model: string;
    maxTokens: number;
    maxConcurrent: number;
    requestsPerMinute: number;
    maxRetries: number;
    /** Most requests waiting in the queue (per process). */
    maxQueued: number;
    /** 0 = no limit. */
    inputTokensPerMinute: number;
    /** 0 = no limit. Reserved up front from max_tokens, as Anthropic counts it. */
    outputTokensPerMinute: number;
    breakerResetMs: number;
    /** Per-person limits; 0 = off. */
    userMaxConcurrent: number;
    userRequestsPerHour: number;
    userTokensPerDay: number;
    firstTokenTimeoutMs: number;
    timeoutMs: number;
    contextTokens: number;
    /** USD per million tokens by model id (CLAUDE_PRICES); others use the built-in list prices. */
    prices: Record<string, Price>;
  };
  bot: {
    /** Custom system prompt, or undefined for the built-in one. */
    systemPrompt: string | undefined;
    answerThreadFollowups: boolean;
    allowBotMessages: boolean;
    streamAppendsPerMinute: number;
    /** Summaries worked on at once per process; the rest wait their turn. */
    summariesMaxConcurrent: number;
    /** Every routine through the Message Batches API (ROUTINES_BATCH); a routine's `batch` does one. */
    routinesBatch: boolean;
    /** First and longest wait between polls of a message batch, in seconds. */
    batchPollSeconds: number;
    batchPollMaxSeconds: number;
    batchPollMaxFailures: number;
    /** Let Slack unfurl links and media in the bot's posts (off: no URL the model writes is fetched). */
    unfurlLinks: boolean;
    /** Slack user ids that see everyone's usage on the Home tab. */
    adminUserIds: string[];
  };
  /** Files people share: what is read for one question (0 files: none). */
  files: {
    maxBytes: number;
    maxFiles: number;
    maxTotalBytes: number;
    maxPdfPages: number;
    /** File bytes the questions of one process hold at once (FILES_MEMORY_MAX_BYTES). */
    memoryMaxBytes: number;
  };
  /** YAML file of per-channel profiles (model, prompt, limits, tools); unset: the settings above everywhere. */
  profilesFile: string | undefined;
  cacheTtlSeconds: number;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so several bots (or tests) can share one Redis. */
  redisKeyPrefix: string;
  port: number;
  /** Own port for /healthz, /readyz and /metrics; PORT then serves only /slack/events. */
  opsPort: number | undefined;
  logLevel: LogLevel;
  /** LOG_MESSAGE_BODIES: log lines may hold message, question and answer text (off: never). */
  logMessageBodies: boolean;
  shutdownGraceMs: number;
  /** A question taken over from a stopped replica later than this is not answered; the person is asked to ask again. */
  jobMaxAgeSeconds: number;
  /** Without Redis: a folder for the journal of questions not yet answered (resumed after a restart). */
  stateDir: string | undefined;
  /** production refuses settings meant for debugging (LOG_LEVEL=trace). */
  appEnv: 'development' | 'production';
  /** Who may use the bot; an empty list does not restrict. */
  access: {
    teamIds: string[];
    channelIds: string[];
    userIds: string[];
    /** Refuse Slack Connect channels (members from other organizations). */
    excludeExternal: boolean;
  };
  /** Egress proxy for Slack and Anthropic traffic (HTTPS_PROXY for https URLs, HTTP_PROXY for http). */
  proxy: { https: string | undefined; http: string | undefined; noProxy: string | undefined };
}

/** The groups of Config that hold settings of their own. */
type Group = 'slack' | 'anthropic' | 'claude' | 'bot' | 'files' | 'access' | 'proxy';

/** Where a setting lands in Config: a top-level field or `group.field`, e.g. `claude.maxTokens`. */
export type Field =
  | Exclude<keyof Config, Group>
  | { [G in Group]: `${G}.${keyof Config[G] & string}` }[Group];

/** The type of the Config field at `F`. */
export type FieldValue<F> = F extends `${infer G}.${infer K}`
  ? G extends Group
    ? K extends keyof Config[G]
      ? Config[G][K]
      : never
    : never
  : F extends keyof Config
    ? Config[F]
    : never;

import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type Price, parsePrices } from './prices.js';

/** A setting is missing or malformed. `message` is one line that names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Secrets that may also be given as `<NAME>_FILE` (a path whose contents are the value). */
export const SECRET_SETTINGS = [
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'ANTHROPIC_API_KEY',
  'REDIS_URL',
] as const;

/**
 * Where each secret setting lands in Config (a dotted path): what any screen listing the settings
 * must mask, whatever the field is called.
 */
export const SECRET_CONFIG_FIELDS: Readonly<Record<(typeof SECRET_SETTINGS)[number], string>> = {
  SLACK_BOT_TOKEN: 'slack.botToken',
  SLACK_SIGNING_SECRET: 'slack.signingSecret',
  SLACK_APP_TOKEN: 'slack.appToken',
  ANTHROPIC_API_KEY: 'anthropic.apiKey',
  REDIS_URL: 'redisUrl',
};

/** Whether a value is one of those shipped in .env.example (the sandbox treats them as unset). */
export function isPlaceholder(value: string | undefined): boolean {
  return value !== undefined && PLACEHOLDERS.has(value);
}

/** Values shipped in .env.example: starting with them would only fail later, and less clearly. */
const PLACEHOLDERS = new Set([
  'xoxb-your-bot-token',
  'xapp-your-app-token',
  'your-signing-secret',
  'sk-ant-your-key',
]);

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));

const int = (fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a whole number from ${min} to ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

const httpUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s]+$/.test(v), { message: 'expected an http(s) URL' });

/** A comma-separated list of Slack ids (`T012ABC,T034DEF`); unset or empty = no restriction. */
const idList = (what: string, example: string) =>
  z
    .string()
    .regex(/^[\sA-Z0-9,]*$/, { message: `expected Slack ${what} separated by commas (${example})` })
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );

const proxyUrl = z
  .string()
  .refine((v) => /^https?:\/\/[^\s/]+\/?$/.test(v), { message: 'expected http://host:port (or https://…)' });

const secret = (prefix: string | undefined, what: string) =>
  z
    .string({ error: `required (${what})` })
    .min(1, { message: `required (${what})` })
    .refine((v) => !PLACEHOLDERS.has(v), { message: 'still has the placeholder value from .env.example' })
    .refine((v) => prefix === undefined || v.startsWith(prefix), {
      message: `expected a value starting with "${prefix}"`,
    });

const schema = z.object({
  SLACK_BOT_TOKEN: secret('xoxb-', 'the bot token from OAuth & Permissions, xoxb-…'),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: secret('xapp-', 'an app-level token with connections:write, xapp-…').optional(),
  SLACK_API_URL: httpUrl.default('https://slack.com/api/'),
  ANTHROPIC_API_KEY: secret(undefined, 'your Anthropic API key'),
  ANTHROPIC_BASE_URL: httpUrl.optional(),
  CLAUDE_MODEL: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.@:_-]*$/i, { message: 'expected a model id such as claude-sonnet-5-5' })
    .default('claude-sonnet-5-5'),
  CLAUDE_MAX_TOKENS: int(4096, 16, 128_000),
  CLAUDE_MAX_CONCURRENT: int(5, 1, 1000),
  CLAUDE_REQUESTS_PER_MINUTE: int(50, 1, 100_000),
  CLAUDE_MAX_RETRIES: int(2, 0, 10),
  CLAUDE_MAX_QUEUED: int(100, 1, 100_000),
  CLAUDE_INPUT_TOKENS_PER_MINUTE: int(0, 0, 100_000_000),
  CLAUDE_OUTPUT_TOKENS_PER_MINUTE: int(0, 0, 100_000_000),
  CLAUDE_BREAKER_RESET_MS: int(30_000, 1000, 3_600_000),
  USER_MAX_CONCURRENT: int(0, 0, 1000),
  USER_REQUESTS_PER_HOUR: int(0, 0, 1_000_000),
  USER_TOKENS_PER_DAY: int(0, 0, 1_000_000_000),
  CLAUDE_FIRST_TOKEN_TIMEOUT_MS: int(60_000, 1000),
  CLAUDE_TIMEOUT_MS: int(300_000, 1000),
  CLAUDE_CONTEXT_TOKENS: int(60_000, 1000, 1_000_000),
  FILES_MAX_BYTES: int(10 * 1024 * 1024, 0, 100 * 1024 * 1024),
  FILES_PER_QUESTION: int(5, 0, 20),
  FILES_MAX_TOTAL_BYTES: int(20 * 1024 * 1024, 0, 200 * 1024 * 1024),
  FILES_MAX_PDF_PAGES: int(100, 1, 100),
  FILES_MEMORY_MAX_BYTES: int(50 * 1024 * 1024, 1024 * 1024, 10 * 1024 * 1024 * 1024),
  CLAUDE_PRICES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const r = parsePrices(v ?? '');
      if (typeof r === 'string') {
        ctx.addIssue({ code: 'custom', message: r });
        return z.NEVER;
      }
      return r;
    }),
  ADMIN_USER_IDS: z
    .string()
    .regex(/^[\sA-Z0-9,]*$/, { message: 'expected Slack user ids separated by commas (U012ABC,U034DEF)' })
    .optional(),
  SYSTEM_PROMPT: z.string().optional(),
  SYSTEM_PROMPT_FILE: z.string().optional(),
  CLAUDE_PROFILES_FILE: z.string().optional(),
  ANSWER_THREAD_FOLLOWUPS: bool(false),
  ALLOW_BOT_MESSAGES: bool(false),
  STREAM_APPENDS_PER_MINUTE: int(90, 1, 10_000),
  SUMMARIES_MAX_CONCURRENT: int(2, 1, 100),
  UNFURL_LINKS: bool(false),
  CACHE_TTL_SECONDS: int(600, 0, 30 * 24 * 3600),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\/\S+$/.test(v), { message: 'expected redis://host:port or rediss://…' })
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'expected letters, digits and : _ . - (at most 64)' })
    .default('scb:'),
  PORT: int(3000, 0, 65535),
  /** -1 (unset): health and metrics share PORT with Slack's requests. */
  OPS_PORT: int(-1, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: int(25_000, 0, 600_000),
  JOB_MAX_AGE_SECONDS: int(900, 1, 7 * 24 * 3600),
  STATE_DIR: z.string().min(1).optional(),
  APP_ENV: z
    .enum(['development', 'production'], { error: 'expected development or production' })
    .default('production'),
  ALLOWED_TEAM_IDS: idList('team ids', 'T012ABC,T034DEF'),
  ALLOWED_CHANNEL_IDS: idList('channel ids', 'C012ABC,G034DEF'),
  ALLOWED_USER_IDS: idList('user ids', 'U012ABC,W034DEF'),
  EXCLUDE_EXTERNAL_CHANNELS: bool(false),
  HTTPS_PROXY: proxyUrl.optional(),
  HTTP_PROXY: proxyUrl.optional(),
  NO_PROXY: z.string().optional(),
});

export type RawConfig = z.infer<typeof schema>;

/** The validated settings, grouped by what they configure. */
export interface Config {
  slack: {
    botToken: string;
    signingSecret: string;
    /** Set: Socket Mode (no public URL needed). Unset: HTTP receiver on `port`. */
    appToken: string | undefined;
    apiUrl: string;
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
  logLevel: RawConfig['LOG_LEVEL'];
  shutdownGraceMs: number;
  /** A question taken over from a stopped replica later than this is not answered; the person is asked to ask again. */
  jobMaxAgeSeconds: number;
  /** Without Redis: a folder for the journal of questions not yet answered (resumed after a restart). */
  stateDir: string | undefined;
  /** production refuses settings meant for debugging (LOG_LEVEL=trace). */
  appEnv: RawConfig['APP_ENV'];
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

type Env = Record<string, string | undefined>;

function readSecretFiles(env: Env): Env {
  const out: Env = { ...env };
  for (const name of [...SECRET_SETTINGS, 'SYSTEM_PROMPT'] as const) {
    const file = env[`${name}_FILE`];
    if (!file) continue;
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${name}_FILE: cannot read ${file} (${code})`);
    }
  }
  return out;
}

/**
 * Validates every setting at once and returns them typed. Throws a ConfigError whose message is
 * one line naming the variable and what it expects. Reads `<NAME>_FILE` for secrets.
 */
export function parseConfig(env: Env): Config {
  const raw = readSecretFiles(
    Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v])),
  );
  // Proxy variables are conventionally also spelled in lower case (curl, undici, Node).
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY']) raw[name] ??= raw[name.toLowerCase()];
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'config');
    const missing = issue?.code === 'invalid_type' && raw[name] === undefined;
    const message = missing && !issue.message.startsWith('required') ? 'required' : issue?.message;
    throw new ConfigError(`${name}: ${message}`);
  }
  const c = result.data;
  if (!c.SLACK_APP_TOKEN && !c.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: required in HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
    );
  }
  if (c.APP_ENV === 'production' && c.LOG_LEVEL === 'trace') {
    throw new ConfigError(
      'LOG_LEVEL: trace logs request bodies and is refused when APP_ENV=production (use debug, or APP_ENV=development)',
    );
  }
  // Socket Mode does not use the signing secret: its placeholder, left in .env, is no error there.
  if (!c.SLACK_APP_TOKEN && c.SLACK_SIGNING_SECRET && PLACEHOLDERS.has(c.SLACK_SIGNING_SECRET)) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: still has the placeholder value from .env.example (HTTP mode needs the real one; for Socket Mode set SLACK_APP_TOKEN)',
    );
  }
  return {
    slack: {
      botToken: c.SLACK_BOT_TOKEN,
      signingSecret: c.SLACK_APP_TOKEN ? '' : (c.SLACK_SIGNING_SECRET ?? ''),
      appToken: c.SLACK_APP_TOKEN,
      apiUrl: c.SLACK_API_URL.endsWith('/') ? c.SLACK_API_URL : `${c.SLACK_API_URL}/`,
    },
    anthropic: { apiKey: c.ANTHROPIC_API_KEY, baseUrl: c.ANTHROPIC_BASE_URL },
    claude: {
      model: c.CLAUDE_MODEL,
      maxTokens: c.CLAUDE_MAX_TOKENS,
      maxConcurrent: c.CLAUDE_MAX_CONCURRENT,
      requestsPerMinute: c.CLAUDE_REQUESTS_PER_MINUTE,
      maxRetries: c.CLAUDE_MAX_RETRIES,
      maxQueued: c.CLAUDE_MAX_QUEUED,
      inputTokensPerMinute: c.CLAUDE_INPUT_TOKENS_PER_MINUTE,
      outputTokensPerMinute: c.CLAUDE_OUTPUT_TOKENS_PER_MINUTE,
      breakerResetMs: c.CLAUDE_BREAKER_RESET_MS,
      userMaxConcurrent: c.USER_MAX_CONCURRENT,
      userRequestsPerHour: c.USER_REQUESTS_PER_HOUR,
      userTokensPerDay: c.USER_TOKENS_PER_DAY,
      firstTokenTimeoutMs: c.CLAUDE_FIRST_TOKEN_TIMEOUT_MS,
      timeoutMs: c.CLAUDE_TIMEOUT_MS,
      contextTokens: c.CLAUDE_CONTEXT_TOKENS,
      prices: c.CLAUDE_PRICES,
    },
    bot: {
      systemPrompt: c.SYSTEM_PROMPT?.trim() || undefined,
      answerThreadFollowups: c.ANSWER_THREAD_FOLLOWUPS,
      allowBotMessages: c.ALLOW_BOT_MESSAGES,
      streamAppendsPerMinute: c.STREAM_APPENDS_PER_MINUTE,
      summariesMaxConcurrent: c.SUMMARIES_MAX_CONCURRENT,
      unfurlLinks: c.UNFURL_LINKS,
      adminUserIds: (c.ADMIN_USER_IDS ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    },
    files: {
      maxBytes: c.FILES_MAX_BYTES,
      maxFiles: c.FILES_PER_QUESTION,
      maxTotalBytes: c.FILES_MAX_TOTAL_BYTES,
      maxPdfPages: c.FILES_MAX_PDF_PAGES,
      memoryMaxBytes: c.FILES_MEMORY_MAX_BYTES,
    },
    profilesFile: c.CLAUDE_PROFILES_FILE,
    cacheTtlSeconds: c.CACHE_TTL_SECONDS,
    redisUrl: c.REDIS_URL,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    port: c.PORT,
    opsPort: c.OPS_PORT >= 0 ? c.OPS_PORT : undefined,
    logLevel: c.LOG_LEVEL,
    shutdownGraceMs: c.SHUTDOWN_GRACE_MS,
    jobMaxAgeSeconds: c.JOB_MAX_AGE_SECONDS,
    stateDir: c.STATE_DIR,
    appEnv: c.APP_ENV,
    access: {
      teamIds: c.ALLOWED_TEAM_IDS,
      channelIds: c.ALLOWED_CHANNEL_IDS,
      userIds: c.ALLOWED_USER_IDS,
      excludeExternal: c.EXCLUDE_EXTERNAL_CHANNELS,
    },
    proxy: { https: c.HTTPS_PROXY, http: c.HTTP_PROXY, noProxy: c.NO_PROXY },
  };
}

/** The values that must never be logged or shown; the logger and error texts scrub them. */
export function secretValues(config: Config): string[] {
  return (
    [config.slack.botToken, config.slack.signingSecret, config.slack.appToken, config.anthropic.apiKey]
      .concat(config.redisUrl && /:[^@/]+@/.test(config.redisUrl) ? [config.redisUrl] : [])
      // A proxy URL with credentials (http://user:password@proxy:3128) is a secret too.
      .concat([config.proxy.https, config.proxy.http].filter((u): u is string => !!u && /:[^@/]+@/.test(u)))
      .filter((v): v is string => typeof v === 'string' && v.length >= 8)
  );
}

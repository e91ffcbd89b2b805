import {
  baseUrl,
  bool,
  fromResult,
  httpUrl,
  Invalid,
  idList,
  int,
  LOG_LEVELS,
  matching,
  oneOf,
  type Parser,
  proxyUrl,
  secret,
  text,
} from './parsers.js';
import { parsePrices } from './prices.js';
import { parseRedisUrl } from './redis-url.js';
import type { Field, FieldValue } from './shape.js';

/** REDIS_URL: checked here in all three forms (redis-url.ts), kept as given. */
const redisUrl = (v: string): string => {
  parseRedisUrl(v);
  return v;
};

/** What people read about a setting, and how .env.example shows it. */
interface Doc {
  /** One line: the docs table's meaning and the comment above the setting in .env.example (Markdown). */
  doc: string;
  /** Never logged or shown; may also come from `<NAME>_FILE`. */
  secret?: boolean;
  /** May also come from `<NAME>_FILE` (a path whose contents are the value); implied by `secret`. */
  file?: boolean;
  /** The value .env.example ships, refused at start as still unfilled. */
  placeholder?: string;
  /** The value .env.example shows, when not the placeholder or the default. */
  example?: string;
  /** .env.example shows the line commented out. */
  commented?: boolean;
  /** The docs table's default column when the default is not a literal value ("none", "built in"). */
  shown?: string;
  /** Said after a literal default in the docs table: `0` (off), `10485760` (10 MB). */
  note?: string;
  /** Other spellings read when the name itself is unset (https_proxy). */
  alias?: string;
}

/** One setting: its env name, where it lands in Config, its parser, its default, and its docs. */
export interface Setting<F extends Field | undefined = Field | undefined> extends Doc {
  name: string;
  /** Where the value lands in Config; undefined for a setting read only through another (SYSTEM_PROMPT_FILE). */
  to: F;
  parse: Parser<unknown>;
  /** The value when unset, as text (parsed like a given one); undefined: no default. */
  default: string | undefined;
  /** Set: the setting must be given, and this says what it is. */
  required: string | undefined;
  /** The heading it is listed under in .env.example and docs/settings.md. */
  section: string;
  secret: boolean;
  file: boolean;
}

/**
 * What a setting does when unset: a setting whose Config field cannot be undefined needs a default
 * (text, parsed like a given value) or must be required (`required` says what it is, for the error).
 */
type WhenUnset<F> = F extends Field
  ? undefined extends FieldValue<F>
    ? { default?: string; required?: string }
    : { default: string; required?: never } | { required: string; default?: never }
  : { default?: never; required?: never };

/** One setting: `to` is where its value lands in Config, and `parse` must give that field's type. */
function setting<F extends Field | undefined>(
  name: string,
  to: F,
  parse: Parser<F extends Field ? Exclude<FieldValue<F>, undefined> : unknown>,
  opts: Doc & WhenUnset<F>,
): Setting<F> {
  const secret = opts.secret ?? false;
  return {
    ...opts,
    name,
    to,
    parse,
    default: opts.default,
    required: opts.required,
    section: '',
    secret,
    file: (opts.file ?? false) || secret,
  };
}

/** Settings listed under one heading, in the order given. */
function section<const T extends readonly Setting[]>(title: string, settings: T): T {
  for (const s of settings) s.section = title;
  return settings;
}

/** A secret: refused while it is an .env.example placeholder, and checked for its prefix when given. */
const secretText = (prefix?: string) => secret((v) => isPlaceholder(v), prefix);

/** SLACK_INSTALLATION_KEY: 32 bytes as base64 (or 64 hex digits); kept as base64. */
const installationKey: Parser<string> = (v) => {
  secretText()(v);
  if (/^[0-9a-f]{64}$/i.test(v)) return Buffer.from(v, 'hex').toString('base64');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32) return v;
  throw new Invalid('expected 32 random bytes as base64 (openssl rand -base64 32)');
};

/**
 * Every setting the bot reads, declared once. Config, the errors at start, SECRET_SETTINGS, the
 * placeholders, `.env.example` and the table in docs/settings.md (scripts/settings-docs.ts) all
 * come from here.
 */
// biome-ignore format: one setting a line, so the declarations read as a table
export const SETTINGS = [
  ...section('Slack (api.slack.com/apps → your app)', [
    setting('SLACK_BOT_TOKEN', 'slack.botToken', secretText('xoxb-'), { doc: 'bot token, `xoxb-…` (OAuth & Permissions → Bot User OAuth Token): one workspace. Leave it unset for installs in many workspaces (`SLACK_CLIENT_ID`…, [install.md](install.md))', secret: true, placeholder: 'xoxb-your-bot-token', shown: 'required for one workspace' }),
    setting('SLACK_APP_TOKEN', 'slack.appToken', secretText('xapp-'), { doc: 'when set, Socket Mode instead of HTTP (no public URL needed): Basic Information → App-Level Tokens → a token with the scope `connections:write`, `xapp-…`', secret: true, placeholder: 'xapp-your-app-token' }),
    setting('SLACK_SIGNING_SECRET', 'slack.signingSecret', text, { default: '', doc: 'verifies that requests come from Slack (Basic Information → Signing Secret); HTTP mode only: for it, delete `SLACK_APP_TOKEN`', secret: true, placeholder: 'your-signing-secret', commented: true, shown: 'required in HTTP mode' }),
    setting('SLACK_API_URL', 'slack.apiUrl', baseUrl, { default: 'https://slack.com/api/', doc: 'Web API base URL (change only for a proxy or a test double)', example: '' }),
    setting('SLACK_HISTORY_LIMITED', 'slack.historyLimited', bool, { default: 'false', doc: "the app is commercially distributed outside the Slack Marketplace, so Slack allows it one `conversations.replies` / `.history` call a minute per workspace, 15 messages each: threads are read once and kept (an hour), later questions read only what is new, and an answer that could not read its whole thread says so. Internal (customer-built) apps keep Tier 3: leave it `false`" }),
  ]),
  ...section('Installs in many workspaces (OAuth; see docs/install.md)', [
    setting('SLACK_CLIENT_ID', 'slack.clientId', matching(/^[0-9]+\.[0-9]+$/, 'expected the Client ID from Basic Information (digits.digits)'), { doc: 'with `SLACK_CLIENT_SECRET` and `SLACK_STATE_SECRET`, and no `SLACK_BOT_TOKEN`: the bot serves `/slack/install` and `/slack/oauth_redirect`, and each workspace (or organization) that installs it is answered with its own token', commented: true, example: '1234567890.1234567890' }),
    setting('SLACK_CLIENT_SECRET', 'slack.clientSecret', secretText(), { doc: 'Basic Information → Client Secret (multi-workspace installs)', secret: true, commented: true, placeholder: 'your-client-secret' }),
    setting('SLACK_STATE_SECRET', 'slack.stateSecret', secretText(), { doc: 'any long random text (`openssl rand -hex 32`): signs the OAuth `state`, so an install cannot be started from another site', secret: true, commented: true, placeholder: 'your-state-secret' }),
    setting('SLACK_INSTALLATION_KEY', 'slack.installationKey', installationKey, { doc: 'encrypts the installed workspaces\' tokens at rest (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 32`); required with `SLACK_CLIENT_ID`. Keep it: without it the stored installs cannot be read. Also seals the person\'s search permission (`action_token`) kept with a question waiting in Redis or `STATE_DIR`; unset, that permission is not kept, and a question taken up after a restart is answered without workspace search', secret: true, commented: true, placeholder: 'your-installation-key' }),
    setting('SLACK_REDIRECT_URI', 'slack.redirectUri', httpUrl, { doc: 'the `https://YOUR-HOST/slack/oauth_redirect` listed in the manifest\'s `oauth_config.redirect_urls`; unset: the first URL listed there', commented: true, example: 'https://bot.example.com/slack/oauth_redirect' }),
  ]),
  ...section('Claude (console.anthropic.com)', [
    setting('ANTHROPIC_API_KEY', 'anthropic.apiKey', secretText(), { required: 'your Anthropic API key', doc: 'Claude API key', secret: true, placeholder: 'sk-ant-your-key' }),
    setting('ANTHROPIC_BASE_URL', 'anthropic.baseUrl', httpUrl, { doc: "API base URL (change only for a gateway or proxy); unset: Anthropic's, `https://api.anthropic.com`", shown: "Anthropic's" }),
    setting('CLAUDE_MODEL', 'claude.model', matching(/^[a-z0-9][a-z0-9.@:_-]*$/i, 'expected a model id such as claude-sonnet-5-5'), { default: 'claude-sonnet-5-5', doc: 'model id' }),
    setting('CLAUDE_MAX_TOKENS', 'claude.maxTokens', int(16, 128_000), { default: '4096', doc: 'longest answer, in tokens (rate limits reserve this up front)' }),
    setting('CLAUDE_MAX_CONCURRENT', 'claude.maxConcurrent', int(1, 1000), { default: '5', doc: 'Claude calls at the same time, per process' }),
    setting('CLAUDE_REQUESTS_PER_MINUTE', 'claude.requestsPerMinute', int(1, 100_000), { default: '50', doc: "Claude requests per minute (a token bucket; set it to your plan's limit); shared by all replicas with `REDIS_URL`, per process without" }),
    setting('CLAUDE_INPUT_TOKENS_PER_MINUTE', 'claude.inputTokensPerMinute', int(0, 100_000_000), { default: '0', doc: "input tokens per minute (your plan's limit), estimated before the call; `0`: not limited here", note: 'off' }),
    setting('CLAUDE_OUTPUT_TOKENS_PER_MINUTE', 'claude.outputTokensPerMinute', int(0, 100_000_000), { default: '0', doc: "output tokens per minute (your plan's limit), reserved up front from `CLAUDE_MAX_TOKENS` as Anthropic counts them; `0`: not limited here", note: 'off' }),
    setting('CLAUDE_MAX_QUEUED', 'claude.maxQueued', int(1, 100_000), { default: '100', doc: 'questions waiting their turn; beyond it people are told at once that the bot is busy' }),
    setting('CLAUDE_MAX_RETRIES', 'claude.maxRetries', int(0, 10), { default: '2', doc: 'retries of a failed call (429, 529, 5xx, connection errors, a stream broken before any text), each back through the queue so it respects the limits and `retry-after`' }),
    setting('CLAUDE_BREAKER_RESET_MS', 'claude.breakerResetMs', int(1000, 3_600_000), { default: '30000', doc: 'after sustained Claude failures the bot answers "unavailable" at once, and probes again after this many ms' }),
    setting('USER_MAX_CONCURRENT', 'claude.userMaxConcurrent', int(0, 1000), { default: '0', doc: 'questions of one person answered at once (per process); `0`: no limit', note: 'off' }),
    setting('USER_REQUESTS_PER_HOUR', 'claude.userRequestsPerHour', int(0, 1_000_000), { default: '0', doc: 'questions per person per clock hour (shared by replicas with `REDIS_URL`); people over it are told when it resets; `0`: no limit', note: 'off' }),
    setting('USER_TOKENS_PER_DAY', 'claude.userTokensPerDay', int(0, 1_000_000_000), { default: '0', doc: "Claude tokens per person per UTC day, a spending cap (shared by replicas with `REDIS_URL`); a profile's `user_tokens_per_day` sets its own, counted apart; `0`: no limit", note: 'off' }),
    setting('CLAUDE_FIRST_TOKEN_TIMEOUT_MS', 'claude.firstTokenTimeoutMs', int(1000), { default: '60000', doc: 'give up if Claude has not started answering within this time, or sends nothing for this long in the middle of an answer (the text shown is kept, marked interrupted)', note: '60 s' }),
    setting('CLAUDE_TIMEOUT_MS', 'claude.timeoutMs', int(1000), { default: '300000', doc: 'give up on an answer that has not finished within this time', note: '5 min' }),
    setting('CLAUDE_CONTEXT_TOKENS', 'claude.contextTokens', int(1000, 1_000_000), { default: '60000', doc: "token budget for thread / DM history sent with a question, in the model's tokens (under Haiku 5.5's 100,000-token long-prompt price); longer threads keep their first message and the most recent ones" }),
  ]),
  ...section('Files people share (images, PDFs, text files; newest first)', [
    setting('FILES_MAX_BYTES', 'files.maxBytes', int(0, 100 * 1024 * 1024), { default: String(10 * 1024 * 1024), doc: 'bytes of one shared file; a larger one is named in the answer, not downloaded', note: '10 MB' }),
    setting('FILES_PER_QUESTION', 'files.maxFiles', int(0, 20), { default: '5', doc: 'files read for one question, newest first; older ones are named as left out (`0`: none)' }),
    setting('FILES_MAX_TOTAL_BYTES', 'files.maxTotalBytes', int(0, 200 * 1024 * 1024), { default: String(20 * 1024 * 1024), doc: 'bytes of all files read for one question', note: '20 MB' }),
    setting('FILES_MAX_PDF_PAGES', 'files.maxPdfPages', int(1, 100), { default: '100', doc: "pages of one PDF (Claude's own limit is 100 a request)" }),
    setting('FILES_MEMORY_MAX_BYTES', 'files.memoryMaxBytes', int(1024 * 1024, 10 * 1024 * 1024 * 1024), { default: String(50 * 1024 * 1024), doc: 'file bytes (as Slack gives their sizes) the questions of one process hold at once, from download until Claude is done; each costs about six times its size in memory. A question whose files do not fit waits ("is waiting to read the files…"); questions without files go on', note: '50 MB' }),
  ]),
  ...section('Behaviour', [
    setting('SYSTEM_PROMPT', 'bot.systemPrompt', (v) => v.trim(), { doc: 'replaces the first paragraph of the built-in system prompt (who the bot is); formatting and safety rules always apply', file: true, shown: 'built in' }),
    setting('SYSTEM_PROMPT_FILE', undefined, text, { doc: 'the same, read from a file' }),
    setting('CLAUDE_PROFILES_FILE', 'profilesFile', text, { doc: 'a YAML file giving channels their own model, system prompt, limits and web search ([profiles.md](profiles.md)); re-read on SIGHUP and when it changes. Unset: the settings here apply everywhere' }),
    setting('ANSWER_THREAD_FOLLOWUPS', 'bot.answerThreadFollowups', bool, { default: 'false', doc: 'the default of the profile option `follow_threads`: answer replies without a mention in threads the bot already answered in (not replies that mention someone else, not other bots, not after "@bot stop" in the thread)' }),
    setting('ALLOW_BOT_MESSAGES', 'bot.allowBotMessages', bool, { default: 'false', doc: 'answer messages from other bots (beware of bot-to-bot loops)' }),
    setting('STREAM_APPENDS_PER_MINUTE', 'bot.streamAppendsPerMinute', int(1, 10_000), { default: '90', doc: '`chat.appendStream` calls per minute shared by the answers being streamed in one workspace (Slack counts its tiers per workspace)' }),
    setting('SUMMARIES_MAX_CONCURRENT', 'bot.summariesMaxConcurrent', int(1, 100), { default: '2', doc: 'summaries worked on at once per process; more wait their turn (up to 20, then "busy"), so summaries never crowd out answers to mentions. Summaries also count against the `USER_*` limits' }),
    setting('ROUTINES_BATCH', 'bot.routinesBatch', bool, { default: 'false', doc: "every routine's digest goes through Anthropic's Message Batches API (half the price, answered within 24 hours); a routine's own `batch: true` does it for that routine alone" }),
    setting('BATCH_POLL_SECONDS', 'bot.batchPollSeconds', int(1, 3600), { default: '30', doc: 'first wait before asking whether a message batch has ended; doubled after each poll up to `BATCH_POLL_MAX_SECONDS`' }),
    setting('BATCH_POLL_MAX_SECONDS', 'bot.batchPollMaxSeconds', int(1, 3600), { default: '300', doc: 'longest wait between two polls of a message batch' }),
    setting('BATCH_POLL_MAX_FAILURES', 'bot.batchPollMaxFailures', int(1, 1000), { default: '10', doc: "polls of a message batch that may fail in a row (a revoked API key, an API answering errors) before the batch is given up: its id is forgotten and the routine's run fails (the channel is told once, the run retried as a failed run is). A batch not ended 25 hours after its submission is given up too (Anthropic ends every batch within 24)" }),
    setting('UNFURL_LINKS', 'bot.unfurlLinks', bool, { default: 'false', doc: "let Slack unfurl links and media in the bot's posts; off so that no URL Claude writes (which could carry conversation text) is fetched by Slack" }),
  ]),
  ...section('Cache, scale-out, server', [
    setting('CACHE_TTL_SECONDS', 'cacheTtlSeconds', int(0, 30 * 24 * 3600), { default: '600', doc: "how long identical requests reuse an answer, in seconds; `0` turns the cache off; a profile's `cache_ttl_seconds` sets its own" }),
    setting('REDIS_URL', 'redisUrl', redisUrl, { doc: 'replicas share the cache, exactly-once claims, single-flight and the Claude limits; unset: in memory, one process. `redis://:PASSWORD@host:6379`, or `rediss://…` for TLS (a private CA: `NODE_EXTRA_CA_CERTS=/path/ca.pem`); Sentinel: `redis+sentinel://:PASSWORD@sentinel1:26379,sentinel2:26379/mymaster`; Redis Cluster: `redis+cluster://:PASSWORD@node1:6379,node2:6379` (`rediss+…` for TLS; [operations.md](operations.md#redis-sentinel-and-cluster))', secret: true }),
    setting('REDIS_KEY_PREFIX', 'redisKeyPrefix', matching(/^[A-Za-z0-9:_.-]{1,64}$/, 'expected letters, digits and : _ . - (at most 64)'), { default: 'scb:', doc: 'prefix of every Redis key, so several bots can share one Redis' }),
    setting('PORT', 'port', int(0, 65535), { default: '3000', doc: 'HTTP port (events in HTTP mode; health and metrics in both modes unless `OPS_PORT` is set)' }),
    setting('OPS_PORT', 'opsPort', int(0, 65535), { doc: 'a port of its own for `/healthz`, `/readyz` and `/metrics`, so `PORT` serves only `/slack/events` (keep it off the public network); unset: all on `PORT`' }),
    setting('LOG_LEVEL', 'logLevel', oneOf(LOG_LEVELS), { default: 'info', doc: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`' }),
    setting('LOG_MESSAGE_BODIES', 'logMessageBodies', bool, { default: 'false', doc: 'let log lines hold what people wrote and were answered (Slack messages, questions, answers, summaries, file contents, request bodies), at any level; off, they never do, not even at `debug`: only ids, counts and sizes are logged' }),
    setting('SHUTDOWN_GRACE_MS', 'shutdownGraceMs', int(0, 600_000), { default: '25000', doc: 'on SIGTERM, how long answers in flight may take to finish, in ms' }),
    setting('JOB_MAX_AGE_SECONDS', 'jobMaxAgeSeconds', int(1, 7 * 24 * 3600), { default: '900', doc: 'a question taken over from a replica that died (or, with `STATE_DIR`, from before a restart) is answered only if younger than this; older ones are told "Sorry, I lost track of this question while restarting. Please ask again."' }),
    setting('STATE_DIR', 'stateDir', text, { doc: 'without Redis: a folder (a volume) for the journal of questions not yet answered (`questions.sqlite`); a process that crashed or restarted answers them when it starts again. Unset: questions live in memory only', example: '/app/state', commented: true }),
  ]),
  ...section('Operations', [
    setting('CLAUDE_PRICES', 'claude.prices', fromResult(parsePrices), { default: '', doc: "prices for the cost estimate (metrics and the Home tab), USD per million tokens: `model=input:output[:cacheRead:cacheWrite]`, comma-separated, one rate whatever the prompt's length, e.g. `claude-sonnet-5-5=3:15`; models not listed use the built-in model table ([profiles.md](profiles.md#models)), with Haiku 5.5's long-prompt rate", shown: 'the model table' }),
    setting('ADMIN_USER_IDS', 'bot.adminUserIds', idList('user ids', 'U012ABC,U034DEF'), { default: '', doc: "Slack user ids (`U012ABC,U034DEF`) who see everyone's usage on the Home tab (others see only their own) and may stop anyone's answer with the stop button", shown: 'none' }),
  ]),
  ...section('Access (all optional; unset = everyone who can reach the bot)', [
    setting('ALLOWED_TEAM_IDS', 'access.teamIds', idList('team ids', 'T012ABC,T034DEF'), { default: '', doc: "only these workspaces (`T012ABC,T034DEF`) may use the bot; in shared channels the person's own workspace must be listed too. Outside the lists the bot answers with a short private note, never Claude", shown: 'none' }),
    setting('ALLOWED_CHANNEL_IDS', 'access.channelIds', idList('channel ids', 'C012ABC,G034DEF'), { default: '', doc: 'only these channels (`C012ABC,G034DEF`); DMs are not channels (limit them with `ALLOWED_USER_IDS`)', shown: 'none' }),
    setting('ALLOWED_USER_IDS', 'access.userIds', idList('user ids', 'U012ABC,W034DEF'), { default: '', doc: 'only these people (`U012ABC,W034DEF`), in channels and DMs', shown: 'none' }),
    setting('EXCLUDE_EXTERNAL_CHANNELS', 'access.excludeExternal', bool, { default: 'false', doc: 'refuse Slack Connect channels (members from other organizations)' }),
  ]),
  ...section('Environment and network', [
    setting('APP_ENV', 'appEnv', oneOf(['development', 'production'] as const, 'expected development or production'), { default: 'production', doc: '`development` or `production`; production refuses `LOG_LEVEL=trace` (it would log request bodies)' }),
    setting('HTTPS_PROXY', 'proxy.https', proxyUrl, { doc: 'proxy (`http://host:port`, credentials allowed) for Slack and Anthropic traffic', alias: 'https_proxy' }),
    setting('HTTP_PROXY', 'proxy.http', proxyUrl, { doc: 'proxy for `http://` base URLs (also for https when `HTTPS_PROXY` is unset)', alias: 'http_proxy' }),
    setting('NO_PROXY', 'proxy.noProxy', text, { doc: 'hosts reached directly, comma-separated: `localhost,.internal.example,10.0.0.1:8080`, `*` for all', alias: 'no_proxy' }),
  ]),
] as const;

/** Settings that may also be given as `<NAME>_FILE` (a path whose contents are the value). */
export const FILE_SETTINGS: readonly string[] = SETTINGS.filter((s) => s.file).map((s) => s.name);

/** Secrets that may also be given as `<NAME>_FILE`; never logged or shown. */
export const SECRET_SETTINGS: readonly string[] = SETTINGS.filter((s) => s.secret).map((s) => s.name);

/**
 * Where each secret setting lands in Config (a dotted path): what any screen listing the settings
 * must mask, whatever the field is called.
 */
export const SECRET_CONFIG_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(
  SETTINGS.filter((s) => s.secret && s.to).map((s) => [s.name, s.to as string]),
);

/** Values shipped in .env.example: starting with them would only fail later, and less clearly. */
const PLACEHOLDERS: ReadonlySet<string> = new Set(
  SETTINGS.flatMap((s: Setting) => (s.placeholder ? [s.placeholder] : [])),
);

/** Whether a value is one of those shipped in .env.example (the sandbox treats them as unset). */
export function isPlaceholder(value: string | undefined): boolean {
  return value !== undefined && PLACEHOLDERS.has(value);
}

// Every Config field comes from a setting: a field added without one fails to compile here.
type Covered = Exclude<(typeof SETTINGS)[number]['to'], undefined>;
const everyFieldCovered: [Exclude<Field, Covered>] extends [never] ? true : Exclude<Field, Covered> = true;
void everyFieldCovered;

import { readFileSync } from 'node:fs';
import { Invalid } from './parsers.js';
import { FILE_SETTINGS, isPlaceholder, SETTINGS, type Setting } from './settings.js';
import type { Config } from './shape.js';

export { isPlaceholder, SECRET_CONFIG_FIELDS, SECRET_SETTINGS } from './settings.js';
export type { Config } from './shape.js';

/**
 * Settings are missing or malformed. `problems` holds one line per setting, each naming its
 * variable and what it expects; `message` is those lines, one per line.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

type Env = Record<string, string | undefined>;

/** An unset or blank value counts as not given. */
const given = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);

/** The text of each setting as given: from `<NAME>_FILE` for those that allow it, else the env (or its alias). */
function readValues(env: Env, problems: Map<string, string>): Env {
  const out: Env = {};
  for (const s of SETTINGS as readonly Setting[]) {
    out[s.name] = given(env[s.name]) ?? (s.alias ? given(env[s.alias]) : undefined);
  }
  for (const name of FILE_SETTINGS) {
    const file = given(env[`${name}_FILE`]);
    if (!file) continue;
    try {
      out[name] = given(readFileSync(file, 'utf8').trim());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.set(name, `${name}_FILE: cannot read ${file} (${code})`);
    }
  }
  return out;
}

/** Puts `value` at a dotted Config path such as `claude.maxTokens`. */
function place(config: Record<string, Record<string, unknown>>, path: string, value: unknown) {
  const [group, field] = path.split('.') as [string, string | undefined];
  if (field === undefined) {
    (config as Record<string, unknown>)[group] = value;
    return;
  }
  config[group] ??= {};
  (config[group] as Record<string, unknown>)[field] = value;
}

/** Rules between settings, each checked when the settings it reads parsed. */
const CROSS_CHECKS: ReadonlyArray<{
  name: string;
  reads: readonly string[];
  problem(c: Config): string | undefined;
}> = [
  {
    name: 'SLACK_BOT_TOKEN',
    reads: ['SLACK_CLIENT_ID'],
    problem: (c) =>
      c.slack.botToken && c.slack.clientId
        ? 'set it for one workspace, or SLACK_CLIENT_ID (with SLACK_CLIENT_SECRET, SLACK_STATE_SECRET) for installs in many; not both'
        : !c.slack.botToken && !c.slack.clientId
          ? 'required (the bot token from OAuth & Permissions, xoxb-…), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET for installs in many workspaces'
          : undefined,
  },
  ...(
    [
      ['SLACK_CLIENT_SECRET', 'clientSecret', 'Basic Information → Client Secret'],
      ['SLACK_STATE_SECRET', 'stateSecret', 'any long random text, e.g. openssl rand -hex 32'],
      ['SLACK_INSTALLATION_KEY', 'installationKey', 'it encrypts the stored tokens: openssl rand -base64 32'],
    ] as const
  ).map(([name, field, what]) => ({
    name,
    reads: ['SLACK_CLIENT_ID'],
    problem: (c: Config) =>
      c.slack.clientId && !c.slack[field] ? `required with SLACK_CLIENT_ID (${what})` : undefined,
  })),
  {
    name: 'SLACK_CLIENT_ID',
    reads: ['REDIS_URL', 'STATE_DIR'],
    problem: (c) =>
      c.slack.clientId && !c.redisUrl && !c.stateDir
        ? 'installs in many workspaces are kept in Redis (REDIS_URL) or in SQLite (STATE_DIR): set one'
        : undefined,
  },
  {
    name: 'SLACK_SIGNING_SECRET',
    reads: ['SLACK_APP_TOKEN'],
    problem: (c) =>
      c.slack.appToken || c.slack.signingSecret
        ? undefined
        : 'required in HTTP mode (Basic Information → Signing Secret), or set SLACK_APP_TOKEN for Socket Mode',
  },
  {
    // Socket Mode does not use the signing secret: its placeholder, left in .env, is no error there.
    name: 'SLACK_SIGNING_SECRET',
    reads: ['SLACK_APP_TOKEN'],
    problem: (c) =>
      !c.slack.appToken && isPlaceholder(c.slack.signingSecret)
        ? 'still has the placeholder value from .env.example (HTTP mode needs the real one; for Socket Mode set SLACK_APP_TOKEN)'
        : undefined,
  },
  {
    name: 'LOG_LEVEL',
    reads: ['APP_ENV'],
    problem: (c) =>
      c.appEnv === 'production' && c.logLevel === 'trace'
        ? 'trace logs request bodies and is refused when APP_ENV=production (use debug, or APP_ENV=development)'
        : undefined,
  },
];

/**
 * Validates every setting at once and returns them typed. Throws a ConfigError listing every
 * problem, one line each naming the variable and what it expects. Reads `<NAME>_FILE` for secrets.
 */
export function parseConfig(env: Env): Config {
  const problems = new Map<string, string>();
  const values = readValues(env, problems);
  const config: Record<string, Record<string, unknown>> = { slack: {} };
  for (const s of SETTINGS as readonly Setting[]) {
    if (problems.has(s.name)) continue;
    const text = values[s.name] ?? s.default;
    if (text === undefined && s.required !== undefined) {
      problems.set(s.name, `${s.name}: required (${s.required})`);
      continue;
    }
    try {
      const value = text === undefined ? undefined : s.parse(text);
      if (s.to) place(config, s.to, value);
    } catch (err) {
      if (!(err instanceof Invalid)) throw err;
      problems.set(s.name, `${s.name}: ${err.message}`);
    }
  }
  const c = config as unknown as Config;
  if (c.slack.appToken) c.slack.signingSecret = '';
  for (const rule of CROSS_CHECKS) {
    if ([rule.name, ...rule.reads].some((name) => problems.has(name))) continue;
    const problem = rule.problem(c);
    if (problem) problems.set(rule.name, `${rule.name}: ${problem}`);
  }
  if (problems.size > 0) throw new ConfigError(ordered(problems));
  return c;
}

/** Problems in the order the settings are documented. */
function ordered(problems: Map<string, string>): string[] {
  const order = (SETTINGS as readonly Setting[]).map((s) => s.name);
  return [...problems].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, line]) => line);
}

/** The values that must never be logged or shown; the logger and error texts scrub them. */
export function secretValues(config: Config): string[] {
  return (
    [
      config.slack.botToken,
      config.slack.signingSecret,
      config.slack.appToken,
      config.anthropic.apiKey,
      config.slack.clientSecret,
      config.slack.stateSecret,
      config.slack.installationKey,
    ]
      .concat(config.redisUrl && /:[^@/]+@/.test(config.redisUrl) ? [config.redisUrl] : [])
      // A proxy URL with credentials (http://user:password@proxy:3128) is a secret too.
      .concat([config.proxy.https, config.proxy.http].filter((u): u is string => !!u && /:[^@/]+@/.test(u)))
      .filter((v): v is string => typeof v === 'string' && v.length >= 8)
  );
}

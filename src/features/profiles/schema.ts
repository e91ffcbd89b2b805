import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Cron } from 'croner';
import type { z } from 'zod';
import { McpToken } from '../../claude/mcp.js';
import {
  type McpServer,
  type ServerToolSettings,
  WORKSPACE_SEARCH_DEFAULTS,
  type WorkspaceSearchSettings,
} from '../../claude/profile.js';
import type { RoutineSpec } from '../deps.js';

/** The YAML parser, loaded with the first profiles file read: a bot without one never loads it. */
let yaml: typeof import('yaml') | undefined;
function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text, { maxAliasCount: 100 });
}

/** The profiles file is wrong: `message` is one line naming the file, the profile and the field. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

/** The largest profiles file read: a bigger one is a mistake (a log pointed at by accident). */
export const PROFILES_FILE_MAX_BYTES = 1024 * 1024;

let croner: typeof Cron | undefined;

/** Why a schedule is not five cron fields croner reads, or undefined. */
function cronProblem(schedule: string): string | undefined {
  if (schedule.trim().split(/\s+/).length !== 5)
    return 'expected 5 cron fields (minute hour day-of-month month day-of-week), such as "0 9 * * 1-5"';
  try {
    // Loaded with the first routine, like the YAML parser with the first file.
    croner ??= (createRequire(import.meta.url)('croner') as typeof import('croner')).Cron;
    new croner(schedule, { paused: true, mode: '5-part' });
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern:\s*/, '');
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const WINDOW_UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * The file's schema, built with the first profiles file read (zod is loaded then, like the YAML
 * parser: a bot without a profiles file loads neither).
 */
function buildSchema(z: typeof import('zod').z) {
  const domains = z.array(z.string().regex(/^[a-z0-9.*-]+(\/\S*)?$/i, { message: 'expected a domain' }));

  const serverTool = z.union([
    z.boolean(),
    z
      .strictObject({
        max_uses: z.number().int().min(1).max(100).optional(),
        allowed_domains: domains.optional(),
        blocked_domains: domains.optional(),
      })
      .refine((t) => !(t.allowed_domains && t.blocked_domains), {
        message: 'set allowed_domains or blocked_domains, not both',
      }),
  ]);

  /**
   * Slack search for Claude: `true`, `false`, or limits. At most 20 messages a search, as
   * assistant.search.context's `limit` allows (docs.slack.dev/reference/methods/assistant.search.context).
   */
  const workspaceSearch = z.union([
    z.boolean(),
    z.strictObject({
      max_searches: z.number().int().min(1).max(10).optional(),
      max_results: z.number().int().min(1).max(20).optional(),
    }),
  ]);

  /** `C012ABC` (an id), `#support` (a name), `#support-*` (a name pattern), `dm` (direct messages). */
  const channel = z.string().regex(/^(dm|[CGD][A-Z0-9]{2,}|#[a-z0-9_*-]{1,80})$/, {
    message: 'expected a channel id (C012ABC), #name, #prefix-* or dm',
  });

  const modelId = z
    .string()
    .regex(/^[a-z0-9][a-z0-9.@:_-]*$/i, { message: 'expected a model id such as claude-sonnet-5-5' });

  const fields = {
    model: modelId.optional(),
    /** Models a person may choose per question ("@bot use opus: …"). */
    models: z.array(modelId).min(1).max(10).optional(),
    /** Channel memory ("@bot remember that …"); on unless false. */
    memory: z.boolean().optional(),
    /** Un-mentioned replies in threads the bot answered are answered; ANSWER_THREAD_FOLLOWUPS by default. */
    follow_threads: z.boolean().optional(),
    system_prompt: z.string().min(1).max(100_000).optional(),
    system_prompt_file: z.string().min(1).optional(),
    max_tokens: z.number().int().min(16).max(128_000).optional(),
    context_tokens: z.number().int().min(1000).max(1_000_000).optional(),
    web_search: serverTool.optional(),
    web_fetch: serverTool.optional(),
    workspace_search: workspaceSearch.optional(),
    cache_ttl_seconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional(),
    user_tokens_per_day: z.number().int().min(0).optional(),
    suggested_prompts: z.array(z.string().min(1).max(200)).max(4).optional(),
    mcp_servers: z
      .array(
        z.strictObject({
          name: z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'expected letters, digits, _ or - (at most 64)' }),
          url: z.string().regex(/^https:\/\/\S+$/, { message: 'expected an https:// URL' }),
          token_file: z.string().min(1).optional(),
        }),
      )
      .max(20)
      .optional(),
  };

  const profile = z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'expected letters, digits, _ . - (at most 40)' }),
    channels: z.array(channel).min(1),
    /** Only in this workspace (installs in many workspaces); unset: in every workspace. */
    team: z
      .string()
      .regex(/^T[A-Z0-9]{2,}$/, { message: 'expected a workspace id such as T012ABC' })
      .optional(),
    ...fields,
  });

  /** One named channel: an id (C012ABC, G012ABC) or #name; no patterns, no DMs. */
  const oneChannel = z.string().regex(/^([CG][A-Z0-9]{2,}|#[a-z0-9_-]{1,80})$/, {
    message: 'expected a channel id (C012ABC) or #name',
  });

  const routine = z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,40}$/, { message: 'expected letters, digits, _ . - (at most 40)' }),
    schedule: z.string().superRefine((v, ctx) => {
      const problem = cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    timezone: z
      .string()
      .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Paris or UTC' })
      .default('UTC'),
    summarize: oneChannel,
    // A count of messages (1 to 1000) or a duration (90m, 24h, 7d, 1w; at most 90 days).
    window: z
      .union([z.number(), z.string()])
      .transform((v, ctx) => {
        const text = String(v).trim();
        if (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 1000)
          return { count: Number(text), text };
        const m = /^(\d{1,5})\s*([mhdw])$/.exec(text);
        const seconds = m ? Number(m[1]) * (WINDOW_UNITS[m[2] as string] ?? 0) : 0;
        if (seconds >= 60 && seconds <= 90 * 86_400) return { seconds, text };
        ctx.addIssue({
          code: 'custom',
          message: 'expected a count (1 to 1000) or a duration such as 24h or 7d (at most 90 days)',
        });
        return z.NEVER;
      })
      .optional(),
    post_to: oneChannel,
    /** The workspace it runs in (installs in many workspaces: required there). */
    team: z
      .string()
      .regex(/^T[A-Z0-9]{2,}$/, { message: 'expected a workspace id such as T012ABC' })
      .optional(),
    as: z.enum(['message', 'canvas']).default('message'),
    prompt: z.string().min(1).max(2000).optional(),
    /** Through the Message Batches API: half the price, the digest within 24 hours. */
    batch: z.boolean().optional(),
  });

  const file = z.strictObject({
    default: z.strictObject(fields).optional(),
    profiles: z.array(profile).max(200).default([]),
    routines: z.array(routine).max(100).default([]),
  });
  return { file, serverTool, workspaceSearch };
}
type Schema = ReturnType<typeof buildSchema>;
let schema: Schema | undefined;
const schemaOf = (): Schema =>
  (schema ??= buildSchema((createRequire(import.meta.url)('zod') as typeof import('zod')).z));

type RawSettings = z.infer<Schema['file']>['default'] & {};

/** One profile's own settings (unset fields are undefined: they come from the default, then the environment). */
export interface ProfileSettings {
  model?: string;
  systemPrompt?: string;
  maxTokens?: number;
  contextTokens?: number;
  /** `false`: explicitly off (a default that searches can be turned off per profile). */
  webSearch?: ServerToolSettings | false;
  webFetch?: ServerToolSettings | false;
  /** `false`: explicitly off. */
  workspaceSearch?: WorkspaceSearchSettings | false;
  cacheTtlSeconds?: number;
  userTokensPerDay?: number;
  suggestedPrompts?: string[];
  /** With each one's token, read from its token_file. */
  mcpServers?: McpServer[];
  models?: string[];
  memory?: boolean;
  followThreads?: boolean;
}

export interface Profile extends ProfileSettings {
  name: string;
  channels: string[];
  /** The workspace it is limited to (`team: T…`); unset: every workspace. */
  team?: string;
}

export interface ProfileSet {
  file: string;
  defaults: ProfileSettings;
  profiles: Profile[];
  routines: RoutineSpec[];
}

/**
 * Reads and validates a profiles file (YAML; JSON is YAML too). Throws a ProfileError whose
 * message is one line: `CLAUDE_PROFILES_FILE profiles.yml: profile "support": max_tokens: …`.
 */
export function loadProfiles(filePath: string): ProfileSet {
  const fail = (where: string, what: string): never => {
    throw new ProfileError(`CLAUDE_PROFILES_FILE ${filePath}: ${where}${what}`);
  };
  let text = '';
  let size = 0;
  try {
    // Sized before it is read: a file over the cap is neither held nor parsed (YAML takes seconds
    // over a megabyte of `[`).
    size = statSync(filePath).size;
    if (size <= PROFILES_FILE_MAX_BYTES) text = readFileSync(filePath, 'utf8');
  } catch (err) {
    fail('', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  if (size > PROFILES_FILE_MAX_BYTES || Buffer.byteLength(text) > PROFILES_FILE_MAX_BYTES) {
    fail('', 'larger than 1 MB');
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    fail('', `not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const result = schemaOf().file.safeParse(data ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path ?? [];
    let where = '';
    let rest = at;
    if (at[0] === 'profiles' && typeof at[1] === 'number') {
      const name = (data as { profiles?: Array<{ name?: unknown }> }).profiles?.[at[1]]?.name;
      where = typeof name === 'string' ? `profile "${name}": ` : `profile ${at[1] + 1}: `;
      rest = at.slice(2);
    } else if (at[0] === 'routines' && typeof at[1] === 'number') {
      const name = (data as { routines?: Array<{ name?: unknown }> }).routines?.[at[1]]?.name;
      where = typeof name === 'string' ? `routine "${name}": ` : `routine ${at[1] + 1}: `;
      rest = at.slice(2);
    } else if (at[0] === 'default') {
      where = 'default: ';
      rest = at.slice(1);
    }
    const field = rest.map(String).join('.');
    const message =
      issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue?.message;
    fail(where, `${field ? `${field}: ` : ''}${message}`);
  }
  const parsed = result.data as z.infer<Schema['file']>;
  const dir = path.dirname(filePath);
  const names = new Set<string>();
  const settings = (raw: RawSettings, where: string): ProfileSettings => {
    let systemPrompt = raw.system_prompt;
    if (raw.system_prompt_file) {
      if (systemPrompt) fail(where, 'system_prompt_file: set system_prompt or system_prompt_file, not both');
      const promptPath = path.resolve(dir, raw.system_prompt_file);
      try {
        systemPrompt = readFileSync(promptPath, 'utf8').trim();
      } catch (err) {
        fail(where, `system_prompt_file: cannot read ${promptPath} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
    return {
      model: raw.model,
      systemPrompt: systemPrompt?.trim() || undefined,
      maxTokens: raw.max_tokens,
      contextTokens: raw.context_tokens,
      webSearch: toolOf(raw.web_search),
      webFetch: toolOf(raw.web_fetch),
      workspaceSearch: workspaceSearchOf(raw.workspace_search),
      cacheTtlSeconds: raw.cache_ttl_seconds,
      userTokensPerDay: raw.user_tokens_per_day,
      suggestedPrompts: raw.suggested_prompts,
      models: raw.models,
      memory: raw.memory,
      followThreads: raw.follow_threads,
      mcpServers: raw.mcp_servers?.map((m, i) => {
        if (!m.token_file) return { name: m.name, url: m.url };
        const tokenPath = path.resolve(dir, m.token_file);
        try {
          return { name: m.name, url: m.url, token: new McpToken(readFileSync(tokenPath, 'utf8').trim()) };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return fail(where, `mcp_servers.${i}.token_file: cannot read ${tokenPath} (${code})`);
        }
      }),
    };
  };
  return {
    file: filePath,
    defaults: settings(parsed.default ?? {}, 'default: '),
    profiles: parsed.profiles.map((p) => {
      const where = `profile "${p.name}": `;
      if (names.has(p.name)) fail(where, 'name: used by an earlier profile');
      names.add(p.name);
      return {
        name: p.name,
        channels: p.channels,
        ...(p.team ? { team: p.team } : {}),
        ...settings(p, where),
      };
    }),
    routines: routinesOf(parsed.routines, fail),
  };
}

function routinesOf(
  raw: z.infer<Schema['file']>['routines'],
  fail: (where: string, what: string) => never,
): RoutineSpec[] {
  const seen = new Set<string>();
  return raw.map((r) => {
    if (seen.has(r.name)) fail(`routine "${r.name}": `, 'name: used by an earlier routine');
    seen.add(r.name);
    return {
      name: r.name,
      schedule: r.schedule.trim().replace(/\s+/g, ' '),
      timezone: r.timezone,
      summarize: r.summarize,
      ...(r.window ? { window: r.window } : {}),
      postTo: r.post_to,
      ...(r.team ? { team: r.team } : {}),
      as: r.as,
      ...(r.prompt ? { prompt: r.prompt.trim() } : {}),
      ...(r.batch !== undefined ? { batch: r.batch } : {}),
    };
  });
}

function toolOf(raw: z.infer<Schema['serverTool']> | undefined): ServerToolSettings | false | undefined {
  if (raw === undefined) return undefined;
  if (raw === false) return false;
  if (raw === true) return {};
  return { maxUses: raw.max_uses, allowedDomains: raw.allowed_domains, blockedDomains: raw.blocked_domains };
}

function workspaceSearchOf(
  raw: z.infer<Schema['workspaceSearch']> | undefined,
): WorkspaceSearchSettings | false | undefined {
  if (raw === undefined || raw === false) return raw;
  if (raw === true) return { ...WORKSPACE_SEARCH_DEFAULTS };
  return {
    maxSearches: raw.max_searches ?? WORKSPACE_SEARCH_DEFAULTS.maxSearches,
    maxResults: raw.max_results ?? WORKSPACE_SEARCH_DEFAULTS.maxResults,
  };
}

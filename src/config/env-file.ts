import { readFileSync } from 'node:fs';
import { parse } from 'dotenv';
import { SETTINGS } from './settings.js';

type Env = Record<string, string | undefined>;

const NAMES: ReadonlySet<string> = new Set(SETTINGS.map((s) => s.name));

/** `NAME=value` as written, with an optional `export `. */
const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=[ \t]*(.*)$/;

/**
 * A `#` that dotenv takes for the start of a comment although it reads as part of the value: first
 * in the value and followed by text (`#general`), or right after other text (`C012#x`). A comment
 * meant as one has a space before or after it (`PORT=3000 # the port`, `OPS_PORT= # later`).
 */
const CUT = /^#\S|\S#/;

/**
 * Settings whose `.env` value dotenv cut at a `#`: `ALLOWED_CHANNEL_IDS=#general` reads as empty,
 * which would mean "every channel". One line for each, naming the setting and the fix, never the
 * value (it may be a secret). Only values the environment took from the file count: a variable set
 * in the environment itself wins over `.env`.
 */
export function cutDotenvValues(fileText: string, env: Env): string[] {
  const parsed = parse(fileText);
  const problems: string[] = [];
  for (const line of fileText.split(/\r?\n/)) {
    const m = LINE.exec(line);
    const [, name = '', raw = ''] = m ?? [];
    if (!NAMES.has(name) || /^["'`]/.test(raw) || !CUT.test(raw)) continue;
    if (env[name] !== parsed[name]) continue;
    const fix =
      name === 'ALLOWED_CHANNEL_IDS'
        ? 'quote it or use the channel id (C012ABC), not its name'
        : `quote it (${name}="…")`;
    problems.push(`${name}: in .env its value is cut at "#", which starts a comment there; ${fix}`);
  }
  return problems;
}

/** The `.env` file in the working directory, or nothing when there is none. */
export function readDotenvFile(path = '.env'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * What the last line of a configuration error suggests. Inside the Docker image (its Dockerfile sets
 * SLACK_CLAUDE_BOT_IMAGE) there is no .env.example and no sandbox: settings come from the container's
 * environment or secret files.
 */
export function configHint(env: Env): string {
  return env.SLACK_CLAUDE_BOT_IMAGE
    ? 'Give settings to the container: docker run -e NAME=value or --env-file FILE, secrets as files with NAME_FILE=/run/secrets/… (docker secrets, Kubernetes Secrets); every setting: docs/settings.md.'
    : 'See .env.example for every setting, or run `npm run sandbox` to try the bot without a Slack workspace.';
}

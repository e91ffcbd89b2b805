import pino, { type DestinationStream, type Logger } from 'pino';
import { BODY_PATHS, censorBody, cutLibraryPayloads, isBodyPath } from './log-bodies.js';

export type { Logger } from 'pino';

/** Token shapes that must never reach a log line, whatever object they hide in. */
const SECRET_PATTERNS = [/xox[abposr]-[A-Za-z0-9-]+/g, /xapp-[A-Za-z0-9-]+/g, /sk-ant-[A-Za-z0-9_-]+/g];

/** Fields redacted by path before serialisation (pino's fast path). */
const REDACT_PATHS = [
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'signingSecret',
  '*.signingSecret',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  // A person's short-lived permission to search Slack as them (Real-time Search API).
  'actionToken',
  '*.actionToken',
  'action_token',
  '*.action_token',
  '*.*.action_token',
];

/** Replaces every known secret value and token-shaped string in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  for (const p of SECRET_PATTERNS) out = out.replace(p, '[redacted]');
  return out;
}

export interface LoggerOptions {
  level: string;
  /** Exact secret values (tokens, keys) scrubbed from every line as a last line of defence. */
  secrets?: readonly string[];
  /** Where lines go (tests capture them); default stdout, pretty when stdout is a terminal. */
  destination?: DestinationStream;
  name?: string;
  /**
   * LOG_MESSAGE_BODIES: keep what people wrote and were answered in log lines. Off (the default),
   * body fields are omitted and libraries' lines lose their payloads, at every level.
   */
  messageBodies?: boolean;
}

/**
 * JSON logs by default, redacted at the logger so no caller can leak a secret (or, unless
 * `messageBodies`, a message's text) by accident.
 */
export function createLogger(opts: LoggerOptions): Logger {
  const secrets = opts.secrets ?? [];
  const options: pino.LoggerOptions = {
    level: opts.level,
    name: opts.name ?? 'slack-claude-bot',
    redact: opts.messageBodies
      ? { paths: REDACT_PATHS, censor: '[redacted]' }
      : {
          paths: [...REDACT_PATHS, ...BODY_PATHS],
          censor: (value, path) => (isBodyPath(path) ? censorBody(value) : '[redacted]'),
        },
    hooks: {
      streamWrite: (line) => scrubSecrets(line, secrets),
      ...(opts.messageBodies ? {} : { logMethod: cutLibraryPayloads }),
    },
    serializers: { err: pino.stdSerializers.err },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (process.stdout.isTTY && canPrettyPrint()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

function canPrettyPrint(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** The Anthropic SDK's logger shape, over pino. */
export function anthropicLogger(log: Logger) {
  const child = log.child({ lib: 'anthropic' });
  const fn =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, ...rest: unknown[]) =>
      rest.length ? child[level]({ details: rest }, message) : child[level](message);
  return { debug: fn('debug'), info: fn('info'), warn: fn('warn'), error: fn('error') };
}

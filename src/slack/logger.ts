import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from '@slack/logger';
import type { Logger } from '../platform/logger.js';

const BOLT_LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

const join = (msg: unknown[]) =>
  msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');

/** Bolt's Logger interface over pino, so Bolt's and the Slack SDK's lines share our format and redaction. */
export function boltLogger(log: Logger): BoltLogger {
  let child = log.child({ lib: 'bolt' });
  return {
    // The Web API client logs every request and response at debug: skip the work when it is off.
    debug: (...msg) => {
      if (child.isLevelEnabled('debug')) child.debug(join(msg));
    },
    info: (...msg) => child.info(join(msg)),
    warn: (...msg) => child.warn(join(msg)),
    error: (...msg) => child.error(join(msg)),
    setLevel: () => {
      // The level is ours (LOG_LEVEL); Bolt asks to set it on start and must not override it.
    },
    getLevel: () => BOLT_LEVELS[log.level] ?? LogLevel.INFO,
    setName: (name) => {
      child = log.child({ lib: name });
    },
  };
}

import './platform/node-check.js';
import { unwatchFile, watchFile } from 'node:fs';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseConfig, SECRET_SETTINGS } from './config/config.js';
import { configHint, cutDotenvValues, readDotenvFile } from './config/env-file.js';
import { yieldCpuTo } from './platform/priority.js';
import { bootFrontThread, frontWorkerData } from './slack/receive/front-thread.js';

loadDotenv({ quiet: true });

function fail(prefix: string, message: string): never {
  process.stderr.write(`${prefix}: ${message}\n`);
  process.exit(1);
}

// A value dotenv cut at `#` reads as unset, and an unset allow-list lets everyone in: refused.
const cut = cutDotenvValues(readDotenvFile(), process.env);
let config: ReturnType<typeof parseConfig> | undefined;
let problems = cut;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  const named = new Set(cut.map((p) => p.split(':')[0]));
  problems = [...cut, ...err.problems.filter((p) => !named.has(p.split(':')[0]))];
}
if (!config || problems.length > 0) {
  // One line per bad setting, so a first start names everything to fix at once.
  const lines = problems.map((p) => `Configuration error: ${p}`);
  process.stderr.write(`${lines.join('\n')}\n${configHint(process.env)}\n`);
  process.exit(1);
}

// Slack's requests are received and acknowledged in a thread of their own (src/slack/receive/front.ts),
// so acks stay fast while this thread writes answers. It boots now, on another core where there is
// one, while this thread loads the rest of the bot: its start-up (a V8 instance and Node's HTTP
// stack of its own) then adds little to the bot's.
const frontThread = bootFrontThread(frontWorkerData(config));
const { createBot } = await import('./bot.js');
const bot = createBot(config, {
  frontThread,
  onFrontFailure: (err) => {
    bot.log.fatal({ err }, 'the thread receiving Slack requests failed; shutting down');
    void shutdown('front failure', 1);
  },
});

/** Secrets given as files are re-read on SIGHUP and when a file changes (Kubernetes Secret updates). */
function reloadSecrets(reason: string) {
  try {
    bot.reloadSecrets(parseConfig(process.env));
  } catch (err) {
    bot.log.error(
      { reason, error: (err as Error).message },
      'secrets not reloaded; keeping the current ones',
    );
  }
}
const secretFiles = SECRET_SETTINGS.map((name) => process.env[`${name}_FILE`]).filter(
  (f): f is string => !!f,
);
for (const file of secretFiles) watchFile(file, { interval: 10_000 }, () => reloadSecrets('file changed'));
process.on('SIGHUP', () => {
  reloadSecrets('SIGHUP');
  bot.reloadProfiles('SIGHUP');
});

let stopping = false;
async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  bot.log.info({ signal }, 'shutdown requested');
  for (const file of secretFiles) unwatchFile(file);
  await bot.stop();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
// A stray rejection is a bug, not a reason to drop every answer in flight: log it and go on.
process.on('unhandledRejection', (err) => bot.log.error({ err }, 'unhandled rejection'));
// After an uncaught exception the process state is unknown: finish what can be finished, then
// exit 1 so the container runtime restarts it.
process.on('uncaughtException', (err) => {
  bot.log.fatal({ err }, 'uncaught exception; shutting down');
  void shutdown('uncaughtException', 1);
});

try {
  const { frontThreadId } = await bot.start();
  // When CPU is short, acks and health probes go first.
  yieldCpuTo(frontThreadId);
} catch (err) {
  fail('Start-up failed', (err as Error).message);
}

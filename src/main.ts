import { config as loadDotenv } from 'dotenv';
import { createBot } from './app.js';
import { ConfigError, parseConfig } from './config.js';

loadDotenv({ quiet: true });

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(
    `Configuration error: ${err.message}\nSee .env.example for every setting, or run \`npm run sandbox\` to try the bot without a Slack workspace.\n`,
  );
  process.exit(1);
}

const bot = createBot(config);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  bot.log.info({ signal }, 'shutdown requested');
  await bot.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('unhandledRejection', (err) => bot.log.error({ err }, 'unhandled rejection'));

try {
  await bot.start();
} catch (err) {
  process.stderr.write(`Start-up failed: ${(err as Error).message}\n`);
  process.exit(1);
}

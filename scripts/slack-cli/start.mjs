#!/usr/bin/env node
/**
 * The Slack CLI's `start` hook (slack.json), run by `slack run`: starts the bot from its sources in
 * Socket Mode with the tokens of the development app the CLI created and installed. The CLI passes
 * them as SLACK_CLI_XOXB (bot token) and SLACK_CLI_XAPP (app-level token); they take the place of
 * SLACK_BOT_TOKEN and SLACK_APP_TOKEN, whatever .env says, since they belong to that app. Every other
 * setting (ANTHROPIC_API_KEY first) comes from the environment or .env, as with `npm start`.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const env = { ...process.env };
if (env.SLACK_CLI_XOXB) env.SLACK_BOT_TOKEN = env.SLACK_CLI_XOXB;
if (env.SLACK_CLI_XAPP) env.SLACK_APP_TOKEN = env.SLACK_CLI_XAPP;
if (!env.SLACK_CLI_XOXB || !env.SLACK_CLI_XAPP) {
  process.stderr.write(
    'slack run did not pass the app tokens (SLACK_CLI_XOXB, SLACK_CLI_XAPP); starting with SLACK_BOT_TOKEN and SLACK_APP_TOKEN as set\n',
  );
}

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const main = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const bot = spawn(process.execPath, ['--import', tsx, main], { env, stdio: 'inherit' });
// The CLI stops a run with a signal: hand it to the bot so it shuts down as on SIGTERM.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => bot.kill(signal));
bot.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

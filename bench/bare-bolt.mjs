// The baseline process for memory and start-up: a Bolt app that only acks (plain JavaScript,
// like dist/main.js, so neither pays for a TypeScript loader).
import bolt from '@slack/bolt';

const app = new bolt.App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: bolt.LogLevel.ERROR,
});
app.event('app_mention', async () => {});
app.message(async () => {});
await app.start(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));

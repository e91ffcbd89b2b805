/**
 * A Slack command that pings many people, or a plain mass mention Slack would parse (mrkdwn):
 * what no answer, summary or usage text may ever carry.
 */
export const MASS_MENTION =
  /<!(?:channel|here|everyone|group|subteam\^)|(?<![\w.+-])@(?:channel|here|everyone)(?![\w-])/i;

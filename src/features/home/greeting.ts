import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';
import { slackErrorCode } from '../../slack/web.js';
import { cutAtWord } from '../../slack/write/format.js';

/** A suggested prompt's button shows its first words. */
const PROMPT_TITLE_CHARS = 30;

export interface AppHomeDeps {
  log: Logger;
  botName: string;
  postClient: WebClient;
  /** Prompts for the DM from its profile (suggested_prompts); unset or empty: the built-in ones. */
  prompts?(): string[] | undefined;
  /** True the first time for a user (per process and store), false after. */
  firstGreeting(userId: string): Promise<boolean>;
}

/** Prompts offered in the greeting: what the bot is good at, in a person's words. */
export const SUGGESTED_PROMPTS = [
  {
    title: 'Draft a message',
    message: 'Help me write a friendly reminder to my team about Friday’s deadline.',
  },
  { title: 'Explain something', message: 'Explain the difference between a process and a thread, briefly.' },
  { title: 'Brainstorm', message: 'Give me five ideas for a team offsite agenda.' },
];

/**
 * Opening the bot's Messages tab greets a person once, with prompts to try, unless the DM already
 * has a conversation.
 */
export function register(app: App, deps: AppHomeDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'messages' || !event.channel) return;
    const channel = event.channel;
    if (!(await deps.firstGreeting(event.user))) return;
    const history = await client.conversations.history({ channel, limit: 1 }).catch(() => undefined);
    if (history?.messages?.length) return;
    const own = deps.prompts?.();
    const suggested = own?.length
      ? own.map((message) => ({ title: cutAtWord(message, PROMPT_TITLE_CHARS), message }))
      : SUGGESTED_PROMPTS;
    const prompts = suggested.map((p) => `• ${p.message}`).join('\n');
    const text = `Hi! I’m ${deps.botName}, an assistant built on Claude. Ask me anything here, or mention me in a channel thread.\nA few things to try:\n${prompts}`;
    const r = await deps.postClient.chat.postMessage({ channel, text });
    if (r.ts) {
      // An agent app (manifest agent_view) sets prompts without thread_ts: with it the call
      // silently does nothing. They go on the latest message, the greeting just posted.
      // @see https://docs.slack.dev/reference/methods/assistant.threads.setSuggestedPrompts
      await client
        .apiCall('assistant.threads.setSuggestedPrompts', { channel_id: channel, prompts: suggested })
        .catch((err) => deps.log.warn({ err, code: slackErrorCode(err) }, 'could not set suggested prompts'));
    }
    deps.log.info({ user: event.user }, 'greeted');
  });
}

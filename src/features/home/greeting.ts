import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../../platform/logger.js';

export interface AppHomeDeps {
  log: Logger;
  botName: string;
  postClient: WebClient;
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
    const prompts = SUGGESTED_PROMPTS.map((p) => `• ${p.message}`).join('\n');
    const text = `Hi! I’m ${deps.botName}, an assistant built on Claude. Ask me anything here, or mention me in a channel thread.\nA few things to try:\n${prompts}`;
    const r = await deps.postClient.chat.postMessage({ channel, text });
    if (r.ts) {
      await client.assistant.threads
        .setSuggestedPrompts({ channel_id: channel, thread_ts: r.ts, prompts: SUGGESTED_PROMPTS })
        .catch(() => {});
    }
    deps.log.info({ user: event.user }, 'greeted');
  });
}

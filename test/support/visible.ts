import type { SimMessage, SlackSim } from '../../sandbox/slack/sim.js';

/** What a person sees of a message: the markdown block when there is one, else the text. */
export function visibleText(m: SimMessage): string {
  const blocks = (m.blocks ?? []) as Array<{ type?: string; text?: unknown }>;
  const md = blocks
    .filter((b) => b.type === 'markdown' && typeof b.text === 'string')
    .map((b) => b.text as string);
  return md.length ? md.join('\n') : m.text;
}

/** The bot's replies in a thread, oldest first. */
export function botReplies(sim: SlackSim, channel: string, threadTs: string): SimMessage[] {
  return sim.thread(channel, threadTs).filter((m) => m.user === sim.botUserId && m.ts !== threadTs);
}

/** Waits until the bot has finished (no message still streaming) at least `n` replies in a thread. */
export function waitForReplies(sim: SlackSim, channel: string, threadTs: string, n = 1, timeoutMs = 20_000) {
  return sim.waitFor(
    () => {
      const r = botReplies(sim, channel, threadTs).filter((m) => !/^_Thinking…_$/.test(m.text));
      return r.length >= n && r.every((m) => !m.streaming) ? r : undefined;
    },
    { timeoutMs, what: `${n} finished bot repl${n === 1 ? 'y' : 'ies'} in ${channel}/${threadTs}` },
  );
}

/**
 * Alice (or `where.user`) mentions the bot in #general (or `where.channel`), starting a thread or
 * replying in `where.thread_ts`; resolves with the message.
 */
export async function mention(
  sim: SlackSim,
  text: string,
  where: { user?: string; channel?: string; thread_ts?: string } = {},
): Promise<SimMessage> {
  const { user = 'U0ALICE', channel = 'C0GENERAL', thread_ts } = where;
  const at = thread_ts ? { thread_ts } : {};
  return (await sim.post({ user, channel, ...at, text: `<@${sim.botUserId}> ${text}` })).message;
}

import type { UserDirectory } from './directory.js';

/** A message as conversations.replies / history return it (the fields we read). */
export interface SlackMessage {
  ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  subtype?: string;
  thread_ts?: string;
  username?: string;
  /** Files shared with the message (file_share), as Slack describes them. */
  files?: unknown;
}

export interface Identity {
  botUserId: string;
  botId: string | undefined;
  botName: string;
}

/** Subtypes that are people's (or bots') words; every other subtype (joins, edits, topics…) is noise. */
export const TEXT_SUBTYPES: ReadonlySet<string | undefined> = new Set([
  undefined,
  'thread_broadcast',
  'file_share',
  'bot_message',
  'me_message',
]);

export function isOwnMessage(m: SlackMessage, me: Identity): boolean {
  return m.user === me.botUserId || (me.botId !== undefined && m.bot_id === me.botId);
}

/**
 * Slack's message markup to what a person reads: our own mention removed, other mentions and
 * channel links as names, links as "label (url)", entities decoded.
 */
export async function plainText(text: string, directory: UserDirectory, me: Identity): Promise<string> {
  let out = text.replace(new RegExp(`<@${me.botUserId}(\\|[^>]*)?>`, 'g'), '').trim();
  const ids = [...new Set([...out.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1] as string))];
  const names = new Map(await Promise.all(ids.map(async (id) => [id, await directory.name(id)] as const)));
  out = out
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, '#$1')
    .replace(/<!subteam\^[A-Z0-9]+\|?([^>]*)>/g, (_, l: string) => l || '@group')
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<mailto:([^|>]+)\|[^>]+>/g, '$1');
  return out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * The words of a message addressed to the bot: after a mention of it that opens the message (in a
 * DM the mention may be left out). Undefined when the message does not open with it: commands
 * ("@bot remember that …", "@bot stop") are recognised only there, never mid-sentence.
 */
export function addressedWords(
  text: string,
  me: Pick<Identity, 'botUserId'>,
  dm: boolean,
): string | undefined {
  const lead = new RegExp(`^\\s*<@${me.botUserId}(?:\\|[^>]*)?>[\\s,:]*`);
  const m = lead.exec(text);
  if (m) return text.slice(m[0].length).trim();
  return dm ? text.trim() : undefined;
}

/**
 * A deterministic stand-in for Claude, used by the sandbox when no Anthropic API key is set and as the
 * default responder of the fake Anthropic server. It never calls out anywhere: the reply is read out of
 * the request itself (summaries pick the conversation's decisions, action items and open questions; an
 * answer quotes the messages closest to the question), so the whole bot pipeline can be exercised offline
 * and tests stay reproducible.
 */

import { describeAttachments } from './offline-files.js';
import { contentWords, readLines, readMessages, type Said, truncate } from './offline-reading.js';
import { summaryReply } from './offline-summary.js';

/** A content block as it arrives on the wire. Only `text` blocks are read; the rest are carried along. */
export interface RequestContentBlock {
  type: string;
  text?: string;
  cache_control?: { type: string; ttl?: string } | null;
  [key: string]: unknown;
}

/** One entry of `messages` in a Messages API request body. */
export interface RequestMessage {
  role: string;
  content: string | RequestContentBlock[];
}

/**
 * The parsed JSON body of `POST /v1/messages` (and `/v1/messages/count_tokens`, which has no `max_tokens`).
 * Deliberately looser than the SDK's `MessageCreateParams`: it describes what a server receives, so unknown
 * fields are kept rather than rejected.
 */
export interface MessagesRequestBody {
  model: string;
  messages: RequestMessage[];
  max_tokens?: number;
  system?: string | RequestContentBlock[];
  stream?: boolean;
  [key: string]: unknown;
}

/** First line of every offline answer and last line of every offline summary: nobody mistakes it for Claude. */
export const OFFLINE_MODEL_NOTE =
  'Offline sandbox model: no Anthropic API key is set, so this reply was put together from the conversation by simple rules.';

/** How many messages of the conversation an answer quotes. */
const MAX_RELATED = 3;
const MAX_QUOTE = 160;

/**
 * Builds the offline reply for a request: a summary when the system prompt or the last user message asks
 * for one, otherwise an answer that quotes the messages most related to the question.
 */
export function offlineReply(body: MessagesRequestBody, opts: { profile?: string } = {}): string {
  // The sandbox knows which channel profile a request was asked with: the reply says so.
  const note = opts.profile
    ? `${OFFLINE_MODEL_NOTE}\nAnswered with the **${opts.profile}** profile (model \`${body.model}\`).`
    : OFFLINE_MODEL_NOTE;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  // The SDK also accepts `role: 'system'` entries inside `messages`, so both places count as instructions.
  const systemText = [
    contentText(body.system),
    ...messages.filter((m) => m.role === 'system').map((m) => contentText(m.content)),
  ].join('\n');
  // Earlier user turns hold the rest of the conversation (the bot's answers split them), so read them all.
  const userText = messages
    .filter((m) => m.role === 'user')
    .map((m) => contentText(m.content))
    .join('\n');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const lastText = lastUser ? contentText(lastUser.content) : '';
  const quoted = readMessages(userText);

  if (/summar/i.test(systemText) || (quoted.length === 0 && /summar/i.test(lastText))) {
    const said = quoted.length > 0 ? quoted : readLines(userText).filter((l) => !/summar/i.test(l.text));
    return summaryReply(said, note);
  }
  const question = quoted.at(-1)?.text ?? lastText.replace(/\s+/g, ' ').trim();
  const answer = answerReply(note, question, quoted.slice(0, -1));
  const received = [describeAttachments(lastUser?.content), rememberedFacts(systemText)].filter(Boolean);
  return received.length ? `${received.join('\n\n')}\n\n${answer}` : answer;
}

/** The channel's remembered facts the system prompt carries (channel memory), named in the reply. */
function rememberedFacts(systemText: string): string | undefined {
  const facts = [...systemText.matchAll(/<fact>([\s\S]*?)<\/fact>/g)].map((m) => m[1] ?? '');
  if (!facts.length) return undefined;
  return `**Remembered in this channel** (${facts.length}): ${facts.map((f) => `“${truncate(f, 120)}”`).join('; ')}`;
}

/** Concatenates the text blocks of a content value; non-text blocks (images, tool results) are skipped. */
function contentText(content: string | RequestContentBlock[] | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join('\n');
}

/** The question restated, the earlier messages sharing most words with it, then the formatting Slack shows. */
function answerReply(note: string, question: string, earlier: readonly Said[]): string {
  const asked = new Set(contentWords(question));
  const overlap = new Map(
    earlier
      .filter((m) => !m.isBot)
      .map((m) => [m, new Set(contentWords(m.text).filter((w) => asked.has(w)))]),
  );
  const size = (m: Said) => overlap.get(m)?.size ?? 0;
  const related = [...overlap.keys()]
    .filter((m) => size(m) > 0)
    .sort((a, b) => size(b) - size(a) || b.index - a.index)
    .slice(0, MAX_RELATED)
    .sort((a, b) => a.index - b.index);
  const shared = [...new Set(related.flatMap((m) => [...(overlap.get(m) ?? [])]))];

  const reading =
    related.length > 0
      ? [
          `**From this conversation**, the ${related.length === 1 ? 'message' : 'messages'} closest to your question:`,
          ...related.map((m) => `> *${m.author}*: ${truncate(m.text, MAX_QUOTE)}`),
        ]
      : earlier.length > 0
        ? ['**Nothing earlier in this conversation** shares a word with your question.']
        : [
            '**A new thread**: nothing earlier to quote. Mention me inside a thread and I quote its messages closest to your question.',
          ];
  return [
    note,
    '',
    question ? `You asked: "${truncate(question, 200)}"` : 'You sent an empty message.',
    '',
    ...reading,
    '',
    'With an API key, Claude answers from these. Answers can use _italics_, `code`, lists and code blocks:',
    `- words of your question: ${asked.size}`,
    `- earlier messages read: ${earlier.length}`,
    '```',
    `shared_words = ${JSON.stringify(shared)}`,
    '```',
  ].join('\n');
}

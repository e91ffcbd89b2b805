/**
 * A deterministic stand-in for Claude, used by the sandbox when no Anthropic API key is set and as the
 * default responder of the fake Anthropic server. It never calls out anywhere: the reply is assembled from
 * the request itself, so the whole bot pipeline (streaming, formatting, Slack rendering) can be exercised
 * offline and tests stay reproducible.
 */

import { describeAttachments } from './offline-files.js';

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

/** First line of every non-summary offline reply, so nobody mistakes it for a real model answer. */
export const OFFLINE_MODEL_NOTE =
  'Offline sandbox model: no Anthropic API key is set, so this is a canned reply.';

const STOPWORDS = new Set(
  (
    'about above after again against also because been before being below between both could does doing down ' +
    'during each from further have having here into just more most other over same should some such than that ' +
    'their them then there these they this those through under until very were what when where which while who ' +
    'whom why will with would your yours please thanks thank hello tell explain give show make want need ' +
    'like know think summary summarize summarise conversation thread channel message messages'
  ).split(' '),
);

const MESSAGE_ID = /\[(m\d+)\]/;
const TS_REF = /\(ts:\s*\d+\.\d+\)/;
const XML_MESSAGE = /<message\b([^>]*)>([\s\S]*?)<\/message>/g;
const MAX_QUOTE = 90;

/**
 * Builds the offline reply for a request: a summary-shaped answer when the system prompt or the last user
 * message asks for a summary, otherwise a short formatting demo that restates the question.
 */
export function offlineReply(body: MessagesRequestBody): string {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  // The SDK also accepts `role: 'system'` entries inside `messages`, so both places count as instructions.
  const systemText = [
    contentText(body.system),
    ...messages.filter((m) => m.role === 'system').map((m) => contentText(m.content)),
  ].join('\n');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const question = lastUser ? contentText(lastUser.content) : '';

  if (/summar/i.test(systemText) || /summar/i.test(question)) {
    // Earlier user turns hold the rest of the thread (bot answers split them), so read them all.
    const userText = messages.filter((m) => m.role === 'user').map((m) => contentText(m.content));
    return summaryReply(userText.join('\n'));
  }
  const received = describeAttachments(lastUser?.content);
  return received ? `${received}\n\n${answerReply(question)}` : answerReply(question);
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

interface QuotedLine {
  speaker: string | undefined;
  said: string;
  ref: string | undefined;
}

function summaryReply(input: string): string {
  const lines = messageLines(input);
  const picked = pickSpread(lines, 3);
  const speakers = new Set(lines.map((l) => l.speaker).filter((s): s is string => s !== undefined));
  const topics = keywords(lines.map((l) => l.said).join(' '), 3);

  const tldr =
    lines.length === 0
      ? 'There were no messages to summarize.'
      : `${plural(lines.length, 'message')}${speakers.size > 0 ? ` from ${plural(speakers.size, 'participant')}` : ''}` +
        `${topics.length > 0 ? `, mostly about ${topics.join(', ')}` : ''}.`;

  const keyPoints =
    picked.length > 0 ? picked.map((l) => `- ${describe(l)}`) : ['- Nothing substantive was said yet.'];
  const decisions = bullets(
    lines.filter((l) =>
      /\b(decided|decision|agreed|let's go with|we'll go with|going with|approved)\b/i.test(l.said),
    ),
    1,
    'No explicit decision was recorded.',
  );
  const actions = bullets(
    lines.filter((l) =>
      /\b(todo|to do|action|will|can you|could you|please|by (mon|tue|wed|thu|fri|tomorrow))/i.test(l.said),
    ),
    2,
    'No action items were assigned.',
  );
  const questions = bullets(
    lines.filter((l) => l.said.trimEnd().endsWith('?')),
    2,
    'No open questions stood out.',
  );

  return [
    `**TL;DR**: ${tldr}`,
    '',
    '**Key points**',
    ...keyPoints,
    '',
    '**Decisions**',
    ...decisions,
    '',
    '**Action items**',
    ...actions,
    '',
    '**Open questions**',
    ...questions,
    '',
    `_${OFFLINE_MODEL_NOTE}_`,
  ].join('\n');
}

function answerReply(question: string): string {
  const oneLine = question.replace(/\s+/g, ' ').trim();
  const words = keywords(oneLine, 3);
  // Pad with fixed words so the demo list always has three entries, even for "hi".
  for (const filler of ['sandbox', 'formatting', 'streaming']) {
    if (words.length >= 3) break;
    if (!words.includes(filler)) words.push(filler);
  }
  const [first, second, third] = words;

  return [
    OFFLINE_MODEL_NOTE,
    '',
    oneLine ? `You asked: "${truncate(oneLine, 200)}"` : 'You sent an empty message.',
    '',
    `Here is **a short formatting demo** built from your question:`,
    `- **${first}**: the first keyword I picked out`,
    `- **${second}**: a second one, shown in a list`,
    `- **${third}**: and a third, to round it off`,
    '',
    '```',
    `keywords = ${JSON.stringify(words)}`,
    `length = ${oneLine.length}`,
    '```',
    '',
    'Set an Anthropic API key to get a real answer from Claude.',
  ].join('\n');
}

/**
 * Lines that look like chat messages rather than instructions, markup or blank padding. The bot's prompt
 * wraps each message as `<message author="…" ts="…">`; plain transcripts with `[m1]` or `(ts: …)` markers
 * and bare "Name: text" lines are understood too. The message asking for the summary is left out.
 */
function messageLines(input: string): QuotedLine[] {
  const elements = [...input.matchAll(XML_MESSAGE)];
  if (elements.length > 0) {
    return elements
      .map((m) => {
        const attrs = m[1] ?? '';
        const ts = attribute(attrs, 'ts');
        return {
          speaker: attribute(attrs, 'author'),
          said: (m[2] ?? '').replace(/\s+/g, ' ').trim(),
          ref: ts ? `(ts: ${ts})` : undefined,
        };
      })
      .filter((l) => l.said.length > 0 && !/summar/i.test(l.said));
  }
  const all = input
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^(#|```|<\/?[\w-]+>$|-{3,}$)/.test(l));
  // When the prompt carries message ids, only those lines are messages; the rest is framing text.
  const withRefs = all.filter((l) => MESSAGE_ID.test(l) || TS_REF.test(l));
  return (withRefs.length > 0 ? withRefs : all).filter((l) => !/summar/i.test(l)).map(parseLine);
}

function attribute(attrs: string, name: string): string | undefined {
  const value = attrs.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
  return value?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

function parseLine(raw: string): QuotedLine {
  const ref = raw.match(MESSAGE_ID)?.[0] ?? raw.match(TS_REF)?.[0];
  let rest = raw.replace(MESSAGE_ID, '').replace(TS_REF, '').trim();
  // Drop a leading clock time such as "10:42" or "[10:42]" so it is not mistaken for a speaker.
  rest = rest.replace(/^\[?\d{1,2}:\d{2}(:\d{2})?\]?\s*/, '').replace(/^[-*•]\s+/, '');
  const speakerMatch = rest.match(/^(<@[\w.-]+>|@?[\w.][\w .'-]{0,30}?):\s+(.*)$/);
  const speaker = speakerMatch?.[1];
  const said = (speakerMatch?.[2] ?? rest).trim();
  return { speaker, said, ref };
}

/** Up to `n` items spread over the list (first, middle, last), so the summary covers the whole thread. */
function pickSpread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const indexes = new Set<number>();
  for (let i = 0; i < n; i++) indexes.add(Math.round((i * (items.length - 1)) / (n - 1)));
  return [...indexes].map((i) => items[i]).filter((x): x is T => x !== undefined);
}

function describe(line: QuotedLine): string {
  const who = line.speaker ?? 'Someone';
  const ref = line.ref ? ` ${line.ref}` : '';
  return `${who} said "${truncate(line.said, MAX_QUOTE)}"${ref}`;
}

function bullets(lines: QuotedLine[], max: number, empty: string): string[] {
  if (lines.length === 0) return [`- ${empty}`];
  return lines.slice(0, max).map((l) => `- ${describe(l)}`);
}

/** The most frequent non-trivial words, ties broken by first appearance so output is deterministic. */
function keywords(text: string, n: number): string[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []) {
    if (word.length < 4 || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // Map iteration order is insertion order and the sort is stable, so equal counts keep first-seen order.
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([w]) => w);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

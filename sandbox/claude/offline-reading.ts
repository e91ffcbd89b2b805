/**
 * How the offline model reads a request: the messages the bot quoted (who, when, which thread) and the
 * words that matter in them. Every scan here is linear in the input: the text comes from Slack.
 */

/** One message as the offline model sees it. */
export interface Said {
  author: string;
  /** The bot marks its own messages "(bot)" in summaries; they are never key points. */
  isBot: boolean;
  text: string;
  /** Slack ts when the prompt gives one (summaries): what a summary cites. */
  ts: string | undefined;
  /** ts of the thread's parent for replies; undefined for top-level messages. */
  parent: string | undefined;
  /** A transcript's own id such as "m1", cited as [m1] when there is no ts. */
  id?: string;
  /** Position in the conversation. */
  index: number;
}

// Bounded quantifiers keep each match attempt short, so hostile input cannot make the scan quadratic.
const TOKEN = /<thread\b([^<>]{0,200})>|<\/thread>|<message\b([^<>]{0,2000})>/g;
const CLOSE = '</message>';

/** The `<message …>` elements of the bot's prompts, with the `<thread parent="…">` each sits in. */
export function readMessages(input: string): Said[] {
  const out: Said[] = [];
  let thread: string | undefined;
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(input); m !== null; m = TOKEN.exec(input)) {
    if (m[0] === '</thread>') thread = undefined;
    else if (m[1] !== undefined) thread = attribute(m[1], 'parent');
    else {
      const end = input.indexOf(CLOSE, TOKEN.lastIndex);
      if (end < 0) break;
      const attrs = m[2] ?? '';
      const author = attribute(attrs, 'author') ?? 'Someone';
      const isBot = / \(bot\)$/.test(author);
      const ts = attribute(attrs, 'ts');
      out.push({
        author: isBot ? author.slice(0, -' (bot)'.length) : author,
        isBot,
        text: input.slice(TOKEN.lastIndex, end).replace(/\s+/g, ' ').trim(),
        ts,
        parent: thread !== undefined && thread !== ts ? thread : undefined,
        index: out.length,
      });
      TOKEN.lastIndex = end + CLOSE.length;
    }
  }
  return out;
}

const MESSAGE_ID = /\[(m\d+)\]/;
const TS_REF = /\(ts:\s*(\d+\.\d+)\)/;

/**
 * Plain transcripts ("[m1] alice: text", "alice: text (ts: 1.2)" or bare lines), for requests that do not
 * come from the bot. When some lines carry ids, only those are messages; the rest is framing text.
 */
export function readLines(input: string): Said[] {
  const all = input
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^(#|```|<\/?[\w-]+>$|-{3,}$)/.test(l));
  const withRefs = all.filter((l) => MESSAGE_ID.test(l) || TS_REF.test(l));
  return (withRefs.length > 0 ? withRefs : all).map((raw, index) => {
    let rest = raw.replace(MESSAGE_ID, '').replace(TS_REF, '').trim();
    // A leading clock time such as "10:42" is not a speaker.
    rest = rest.replace(/^\[?\d{1,2}:\d{2}(:\d{2})?\]?\s*/, '').replace(/^[-*•]\s+/, '');
    const speaker = rest.match(/^(<@[\w.-]+>|@?[\w.][\w .'-]{0,30}?):\s+(.*)$/);
    return {
      author: speaker?.[1] ?? 'Someone',
      isBot: false,
      text: (speaker?.[2] ?? rest).trim(),
      ts: raw.match(TS_REF)?.[1],
      parent: undefined,
      id: raw.match(MESSAGE_ID)?.[1],
      index,
    };
  });
}

function attribute(attrs: string, name: string): string | undefined {
  const value = attrs.match(new RegExp(`\\b${name}="([^"]*)"`))?.[1];
  return value?.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

const STOPWORDS = new Set(
  (
    'about above after again against also because been before being below between both could does doing down ' +
    'during each from further have having here into just more most other over same should some such than that ' +
    'their them then there these they this those through under until very were what when where which while who ' +
    'whom why will with would your yours please thanks thank hello morning tell explain give show make want need ' +
    'like know think summary summarize summarise conversation thread channel message messages around anyone ' +
    'someone something great sure okay yeah looks looking into only still much many well'
  ).split(' '),
);

/** Lower-case content words: four letters or more, no stopwords, Slack emoji codes and links left out. */
export function contentWords(text: string): string[] {
  const plain = text.replace(/:[a-z0-9_+-]{1,40}:/g, ' ').replace(/<?https?:\/\/\S+/g, ' ');
  const words: string[] = [];
  for (const word of plain.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? []) {
    if (word.length < 4 || STOPWORDS.has(word) || /^[\d'-]+$/.test(word)) continue;
    // Plurals count as their singular, so "tests" matches "test".
    words.push(word.length > 4 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word);
  }
  return words;
}

/** The most frequent content words, ties broken by first appearance so output is deterministic. */
export function keywords(texts: readonly string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const w of contentWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([w]) => w);
}

/** Sentences of a message, split after . ! ? followed by a space. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

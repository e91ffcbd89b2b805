/**
 * The offline model's summaries: chosen from the conversation by plain rules. Key points are the messages
 * that say the most (greetings, one-word replies and the bot's own messages never are); decisions, action
 * items with their owners and still unanswered questions are found sentence by sentence; every bullet cites
 * its source the way the summary prompt asks, and the counts are those of the bot's coverage line.
 */
import { contentWords, keywords, plural, type Said, sentences, truncate } from './offline-reading.js';

const MAX_KEY_POINTS = 4;
const MAX_PER_SECTION = 6;
const MAX_QUOTE = 140;
/** Fewer content words than this and a message is small talk ("In! :ramen:", "+1"). */
const MIN_WORDS = 3;

const DECISION =
  /\b(decided|agreed|approved|we(?:'|’)ll go with|we will go with|let(?:'|’)s go with|going with)\b/i;
const COMMITMENT = /\bI(?:(?:'|’)ll| will| can| am going to|(?:'|’)m going to)\s+([^.!?]+)/i;
const REQUEST = /\b(?:can|could|would) you\s+([^.!?]+)/i;
const DONE = /\b(done|merged|finished|completed|shipped|sent|all green|fixed)\b/i;
const GREETING = /^(morning|good morning|hi|hello|hey|thanks|thank you)\b/i;
const INTERJECTION = /^(great|ok|okay|cool|so|alright|sure|yes|yep|agreed)[,!]\s+(?=\S)/i;

interface Action {
  owner: string;
  what: string;
  source: Said;
  request: boolean;
}

/** `(ts: A, B)` for messages with a ts, `[m1]` for transcript ids, nothing otherwise. */
export function cite(...from: Array<Said | undefined>): string {
  const ts = [...new Set(from.map((m) => m?.ts).filter((t): t is string => t !== undefined))];
  if (ts.length > 0) return ` (ts: ${ts.join(', ')})`;
  const ids = from.map((m) => m?.id).filter((i): i is string => i !== undefined);
  return ids.length > 0 ? ` ${ids.map((i) => `[${i}]`).join(' ')}` : '';
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const threadKey = (m: Said) => m.parent ?? m.ts ?? `#${m.index}`;

/** A question, or an action, waiting to learn whether what follows it answers or closes it. */
interface Pending {
  source: Said;
  question?: string;
  action?: Action;
  /** Answered (a question), or done or taken over by its owner (an action). */
  settled?: boolean;
}

/** The summary of `said`, in the sections and with the citations the summary prompt asks for. */
export function summaryReply(said: readonly Said[], note: string): string {
  if (said.length === 0) return `**TL;DR**: There were no messages to summarize.\n\n${italic(note)}`;
  const people = new Set(said.filter((m) => !m.isBot).map((m) => m.author));
  const threads = new Set(said.map((m) => m.parent).filter((p) => p !== undefined));
  const byTs = new Map(said.filter((m) => m.ts !== undefined).map((m) => [m.ts, m]));
  const human = said.filter((m) => !m.isBot);
  const names = nameIndex(human);
  const parentOf = (m: Said) => (m.parent ? byTs.get(m.parent) : undefined);

  // Each message once in its thread's list (a top-level message heads its own), in order: one pass each
  // way over every list keeps the whole summary linear in the conversation, however hostile.
  // The bot's answers are in the lists too: they answer questions, though they are never key points.
  const inThread = new Map<string, Said[]>();
  for (const m of said) {
    const list = inThread.get(threadKey(m));
    if (list) list.push(m);
    else inThread.set(threadKey(m), [m]);
  }
  const tops = human.filter((m) => m.parent === undefined);
  const nextTop = new Map(tops.slice(0, -1).map((m, i) => [m, tops[i + 1] as Said]));

  const decisions: string[] = [];
  const pending: Pending[] = [];
  const used = new Set<Said>();
  for (const list of inThread.values()) {
    // Who wrote last, and the last one before them: whom a "can you…" without a name is for.
    let last: string | undefined;
    let other: string | undefined;
    for (const m of list) {
      if (m.isBot) continue;
      const before = last !== m.author ? last : other;
      for (const sentence of sentences(m.text)) {
        const clean = capitalize(sentence.replace(INTERJECTION, ''));
        if (DECISION.test(sentence)) {
          const parent = parentOf(m);
          const where = parent ? `, on "${truncate(parent.text, 60)}"` : '';
          decisions.push(
            `${m.index}\t- ${truncate(clean, MAX_QUOTE)} (${m.author}${where})${cite(parent, m)}`,
          );
          used.add(m);
          continue;
        }
        const action = actionIn(sentence, m, names, parentOf(m)?.author ?? before);
        if (action) pending.push({ source: m, action });
        else if (sentence.endsWith('?')) pending.push({ source: m, question: clean });
      }
      if (last !== m.author) other = last;
      last = m.author;
    }
  }

  // Backwards over each thread: who writes after a message, and whether its owner reports it done.
  const pendingOf = new Map<Said, Pending[]>();
  for (const p of pending) {
    const list = pendingOf.get(p.source);
    if (list) list.push(p);
    else pendingOf.set(p.source, [p]);
  }
  for (const list of inThread.values()) {
    const authors = new Set<string>();
    const closed = new Map<string, { done: boolean; commit: boolean }>();
    for (let i = list.length - 1; i >= 0; i--) {
      const m = list[i] as Said;
      for (const p of pendingOf.get(m) ?? []) {
        const next = m.parent === undefined ? nextTop.get(m) : undefined;
        if (p.question !== undefined) {
          p.settled =
            [...authors].some((a) => a !== m.author) || (next !== undefined && next.author !== m.author);
        } else if (p.action) {
          const { owner, request } = p.action;
          const after = closed.get(owner);
          const says = (x: Said | undefined) =>
            x?.author === owner && (DONE.test(x.text) || (request && COMMITMENT.test(x.text)));
          // Done when the owner says so; a request is replaced by the owner's own "I will…" after it.
          p.settled = Boolean(after?.done || (request && after?.commit) || says(next));
        }
      }
      // Two other authors are enough to know someone else wrote later.
      if (authors.size < 3) authors.add(m.author);
      const c = closed.get(m.author) ?? { done: false, commit: false };
      closed.set(m.author, {
        done: c.done || DONE.test(m.text),
        commit: c.commit || COMMITMENT.test(m.text),
      });
    }
  }
  const questions: string[] = [];
  const open: Action[] = [];
  for (const p of pending) {
    if (p.settled) continue;
    if (p.action) open.push(p.action);
    else
      questions.push(
        `${p.source.index}\t- ${truncate(p.question ?? '', MAX_QUOTE)} (${p.source.author})${cite(p.source)}`,
      );
    used.add(p.source);
  }
  const inOrder = (lines: string[]) =>
    lines
      .sort((x, y) => Number.parseInt(x, 10) - Number.parseInt(y, 10))
      .map((l) => l.slice(l.indexOf('\t') + 1));
  open.sort((x, y) => x.source.index - y.source.index);

  const replies = (m: Said) => (m.parent === undefined ? (inThread.get(threadKey(m))?.length ?? 1) - 1 : 0);
  const words = new Map(human.map((m) => [m, new Set(contentWords(m.text)).size]));
  const scores = new Map(
    human.map((m) => [m, (words.get(m) ?? 0) + 2 * replies(m) - (GREETING.test(m.text) ? 3 : 0)]),
  );
  const score = (m: Said) => scores.get(m) ?? 0;
  const keyPoints = human
    .filter((m) => !used.has(m) && (words.get(m) ?? 0) >= MIN_WORDS)
    .sort((a, b) => score(b) - score(a) || a.index - b.index)
    .slice(0, MAX_KEY_POINTS)
    .sort((a, b) => a.index - b.index)
    .map((m) => {
      const n = replies(m);
      const more = n > 0 ? `, ${plural(n, 'reply', 'replies')}` : '';
      return `- ${m.author}: ${truncate(m.text, MAX_QUOTE)}${more ? ` (${more.slice(2)})` : ''}${cite(m)}`;
    });

  const topics = keywords(
    human.map((m) => m.text),
    3,
  );
  const counts =
    `${plural(said.length, 'message')} from ${plural(people.size, 'person', 'people')}` +
    (threads.size > 0 ? ` in ${plural(threads.size, 'thread')}` : '');
  const found = [
    decisions.length > 0 ? plural(decisions.length, 'decision') : '',
    open.length > 0 ? plural(open.length, 'open action item') : '',
    questions.length > 0 ? plural(questions.length, 'open question') : '',
  ].filter((s) => s.length > 0);
  const tldr =
    `${counts}${topics.length > 0 ? `, mostly about ${topics.join(', ')}` : ''}.` +
    (found.length > 0 ? ` ${capitalize(found.join(', '))}.` : '');

  const section = (title: string, lines: string[]) =>
    lines.length > 0 ? ['', `**${title}**`, ...lines.slice(0, MAX_PER_SECTION)] : [];
  return [
    `**TL;DR**: ${tldr}`,
    ...section('Key points', keyPoints),
    ...section('Decisions', inOrder(decisions)),
    ...section(
      'Action items',
      open.map((a) => `- @${a.owner}: ${truncate(a.what, MAX_QUOTE)}${cite(a.source)}`),
    ),
    ...section('Open questions', inOrder(questions)),
    '',
    italic(note),
  ].join('\n');
}

/** Each line in italics of its own: Slack (and the sandbox page) end `_…_` at a line break. */
function italic(text: string): string {
  return text
    .split('\n')
    .map((line) => `_${line}_`)
    .join('\n');
}

/** "I will…" makes the author the owner; "can you…" the person named, else whom the thread is with. */
function actionIn(
  sentence: string,
  m: Said,
  names: ReadonlyMap<string, string>,
  addressee: string | undefined,
): Action | undefined {
  const commitment = COMMITMENT.exec(sentence);
  if (commitment?.[1] && !sentence.endsWith('?')) {
    return { owner: m.author, what: commitment[1].trim(), source: m, request: false };
  }
  const request = REQUEST.exec(sentence);
  if (!request?.[1]) return undefined;
  const named = sentence
    .toLowerCase()
    .split(/[^\p{L}\p{N}._-]+/u)
    .map((w) => names.get(w))
    .find((n) => n !== undefined && n !== m.author);
  const owner = named ?? (addressee !== m.author ? addressee : undefined);
  return owner ? { owner, what: request[1].trim(), source: m, request: true } : undefined;
}

/** People by the words they are called: "carla.d" also as "carla", "Dana Kim" as "dana". */
function nameIndex(human: readonly Said[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { author } of human) {
    const lower = author.toLowerCase();
    for (const key of [lower, lower.split(/[\s.]/)[0] ?? lower]) if (!names.has(key)) names.set(key, author);
  }
  return names;
}

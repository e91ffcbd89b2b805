/**
 * The arguments of `/summarize`: what to read (a time window, a message count or one thread) and
 * where the summary goes (privately by default, `public` for the channel). Plain parsing, no Slack
 * calls; the help and error texts it returns are Slack mrkdwn, with the person's words escaped.
 */

/** What to summarize. */
export type SummaryWindow =
  | { kind: 'duration'; seconds: number; label: string; key: string }
  | { kind: 'count'; count: number; label: string; key: string }
  | { kind: 'thread'; channelId: string; ts: string; label: string; key: string }
  /** Between two times (Slack ts, seconds): a routine's window since its last run. */
  | { kind: 'between'; oldest: string; latest: string; label: string; key: string };

export type SummarizeArgs =
  | { kind: 'help' }
  | { kind: 'summarize'; window: SummaryWindow; public: boolean }
  | { kind: 'error'; message: string };

/** Most top-level messages a count may ask for; replies come on top, within the read cap. */
export const MAX_COUNT = 1000;
/** Longest window a duration may ask for. */
export const MAX_DURATION_SECONDS = 90 * 24 * 3600;

const UNITS: Record<string, { seconds: number; one: string; many: string }> = {
  m: { seconds: 60, one: 'minute', many: 'minutes' },
  h: { seconds: 3600, one: 'hour', many: 'hours' },
  d: { seconds: 86_400, one: 'day', many: 'days' },
  w: { seconds: 604_800, one: 'week', many: 'weeks' },
};

/** The window used when no argument names one: the last 24 hours. */
export function defaultWindow(): SummaryWindow {
  return durationWindow(24, 'h');
}

function durationWindow(n: number, unit: string): SummaryWindow {
  const u = UNITS[unit] as { seconds: number; one: string; many: string };
  const label = n === 1 ? `the last ${u.one}` : `the last ${n} ${u.many}`;
  return { kind: 'duration', seconds: n * u.seconds, label, key: `${n}${unit}` };
}

/** Accepted spellings: 3h, 3 h, 3hours, 90min, 2d, 1w. */
const DURATION = /^(\d{1,6})(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)$/;
/** A Slack message link: …/archives/C123/p1732550400000100, optionally ?thread_ts=…&cid=…. */
const LINK = /^https?:\/\/[^/\s]+\/archives\/([CGD][A-Z0-9]{2,})\/p(\d{10})(\d{6})(?:\?(\S*))?$/;

function parseLink(raw: string): SummaryWindow | undefined {
  // Slack may wrap links as <url> or <url|label>.
  const url = raw.replace(/^<([^|>]*)(?:\|[^>]*)?>$/, '$1');
  const m = LINK.exec(url);
  if (!m) return undefined;
  const [, channelId = '', sec = '', frac = '', query = ''] = m;
  const threadTs = new URLSearchParams(query).get('thread_ts');
  const ts = threadTs && /^\d{10}\.\d{6}$/.test(threadTs) ? threadTs : `${sec}.${frac}`;
  return { kind: 'thread', channelId, ts, label: 'this thread', key: `thread:${channelId}:${ts}` };
}

/** Short help and usage text, shown for `help` and after a bad argument. */
export function usageText(command = '/summarize'): string {
  return [
    `*${command}* summarizes recent conversation in this channel, threads included, with links to the messages each point comes from. Only you see the summary unless you share it.`,
    `• \`${command}\`: the last 24 hours`,
    `• \`${command} 200\`: the last 200 messages (up to ${MAX_COUNT})`,
    `• \`${command} 3h\`, \`2d\`, \`1w\`: a time window (up to 90 days)`,
    `• \`${command} <message link>\`: that message’s thread`,
    `• add \`public\` to post the summary in the channel for everyone`,
    'Or use the *Summarize thread* shortcut in any message’s “More actions” menu.',
  ].join('\n');
}

/**
 * Echoes a person's token safely in mrkdwn: at most 80 characters, `&<>` escaped so no Slack
 * command (`<!channel>`) forms, and U+200B after `@` so `@here` stays text.
 */
function quoted(raw: string): string {
  return Array.from(raw)
    .slice(0, 80)
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200B');
}

/** Parses the text after the command. Never throws: anything unexpected becomes `error`. */
export function parseSummarizeArgs(text: unknown): SummarizeArgs {
  if (typeof text !== 'string') return { kind: 'summarize', window: defaultWindow(), public: false };
  const tokens = text
    .trim()
    .replace(/(\d)\s+(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)(?![\w])/gi, '$1$2')
    .split(/\s+/)
    .filter(Boolean);
  if (tokens.length > 6) return { kind: 'error', message: 'That is more arguments than I understand.' };
  let window: SummaryWindow | undefined;
  let isPublic = false;
  const setWindow = (w: SummaryWindow): string | undefined => {
    if (window) return 'Give one window at most: a count, a duration or a thread link.';
    window = w;
    return undefined;
  };
  for (const raw of tokens) {
    const token = raw.toLowerCase();
    let problem: string | undefined;
    if (token === 'help' || token === '?' || token === '-h' || token === '--help') return { kind: 'help' };
    if (token === 'public') {
      isPublic = true;
      continue;
    }
    if (/^\d+$/.test(token)) {
      const n = Number(token);
      if (n < 1 || n > MAX_COUNT)
        return { kind: 'error', message: `A count must be between 1 and ${MAX_COUNT}.` };
      problem = setWindow({
        kind: 'count',
        count: n,
        label: n === 1 ? 'the last message' : `the last ${n} messages`,
        key: `n${n}`,
      });
    } else if (DURATION.test(token)) {
      const [, num = '0', unitWord = 'h'] = DURATION.exec(token) ?? [];
      const unit = unitWord.startsWith('m') ? 'm' : unitWord.charAt(0);
      const n = Number(num);
      const seconds = n * (UNITS[unit]?.seconds ?? 0);
      if (n < 1 || seconds > MAX_DURATION_SECONDS)
        return { kind: 'error', message: 'A time window must be between 1 minute and 90 days.' };
      problem = setWindow(durationWindow(n, unit));
    } else {
      const link = parseLink(raw);
      if (!link) return { kind: 'error', message: `I did not understand “${quoted(raw)}”.` };
      problem = setWindow(link);
    }
    if (problem) return { kind: 'error', message: problem };
  }
  return { kind: 'summarize', window: window ?? defaultWindow(), public: isPublic };
}

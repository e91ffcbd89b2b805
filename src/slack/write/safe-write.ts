/**
 * The one rule every write to Slack goes through (posts, streams, edits, ephemerals, continuation
 * messages, response_url answers): links are not unfurled, and no text can ping a channel, a user
 * group or anyone with an overlong label. Applied where each client sends (see web.ts), so no
 * writer can forget it.
 */
import { neutralizeMentions } from './format.js';

/** Web API methods that write a message the bot's text shows in. */
export const WRITE_METHODS = new Set([
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.startStream',
  'chat.appendStream',
  'chat.stopStream',
  'chat.scheduleMessage',
  'canvases.create',
  'canvases.edit',
  'conversations.canvases.create',
]);

/**
 * Methods whose messages Slack unfurls: `unfurl_links` / `unfurl_media` are documented on
 * chat.postMessage and chat.scheduleMessage and set there; the others are given them too (Slack
 * ignores arguments a method does not take), so no kind of write can unfurl a link.
 * @see https://docs.slack.dev/reference/methods/chat.postMessage (unfurl_links, unfurl_media)
 */
const MESSAGE_METHODS = new Set([...WRITE_METHODS].filter((m) => m.startsWith('chat.')));

/** Block fields that carry text a person reads. */
const TEXT_KEYS = new Set(['text', 'markdown_text', 'markdown', 'title', 'alt_text']);

/** Slack's date tokens (`<!date^…|fallback>`): the bot's own, and no ping; kept as they are. */
const DATE_TOKEN = /(<!date\^[^<>\n]{1,1000}>)/;

/** Mass mentions defused and mention labels capped, date tokens kept. */
function cleanText(text: string): string {
  return text
    .split(DATE_TOKEN)
    .map((part, i) => (i % 2 === 1 ? part : neutralizeMentions(part)))
    .join('');
}

/** Mass mentions defused and mention labels capped in every text of `value` (strings, blocks, chunks). */
function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  // Blocks nest a few levels; a deeper value is not Slack's.
  if (depth > 12 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = TEXT_KEYS.has(k) || typeof v === 'object' ? clean(v, depth + 1) : v;
  }
  return out;
}

/**
 * The arguments of a write as they may leave: unfurling off (unless `unfurl`, UNFURL_LINKS), mass
 * mentions defused and mention labels capped in the text, blocks, chunks and document content.
 * Other methods' arguments are returned as they are.
 */
export function safeWrite(
  method: string,
  args: Record<string, unknown> | undefined,
  unfurl = false,
): Record<string, unknown> | undefined {
  const isMessage = MESSAGE_METHODS.has(method) || method === 'response_url';
  if (!WRITE_METHODS.has(method) && !isMessage) return args;
  const out: Record<string, unknown> = { ...args };
  for (const key of ['text', 'markdown_text', 'blocks', 'chunks', 'document_content', 'changes']) {
    if (out[key] !== undefined) out[key] = clean(out[key]);
  }
  if (isMessage && !unfurl) {
    out.unfurl_links = false;
    out.unfurl_media = false;
  }
  return out;
}

/**
 * A fetch that sends response_url answers (Bolt's `respond()`) through safeWrite; every other
 * request (the Web API, file downloads) is passed on unchanged.
 */
export function safeResponseFetch(base: typeof fetch, apiUrl: string, unfurl = false): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (init?.method === 'POST' && typeof init.body === 'string' && !url.startsWith(apiUrl)) {
      try {
        const body: unknown = JSON.parse(init.body);
        if (body && typeof body === 'object' && !Array.isArray(body)) {
          const safe = safeWrite('response_url', body as Record<string, unknown>, unfurl);
          return base(input, { ...init, body: JSON.stringify(safe) });
        }
      } catch {
        // Not JSON: not a response_url answer.
      }
    }
    return base(input, init);
  }) as typeof fetch;
}

import type { LogFn, Logger } from 'pino';

/**
 * Keys whose values are what people wrote or were answered: Slack message text and blocks,
 * questions, answers, summaries, prompts, file contents, request bodies. Off LOG_MESSAGE_BODIES,
 * their values never reach a line (counts under those names, such as `messages: 12`, stay).
 */
const BODY_KEYS = [
  'text',
  'blocks',
  'markdown_text',
  'question',
  'answer',
  'summary',
  'prompt',
  'system',
  'content',
  'messages',
  'body',
];

/** pino redact paths for the body keys, top level and one object down (`{ details: [{ body }] }` too). */
export const BODY_PATHS = [
  ...BODY_KEYS.flatMap((k) => [k, `*.${k}`]),
  'details[*].body',
  'details[*].options.body',
];

const BODY_KEY_SET = new Set(BODY_KEYS);

/** What stands in a line where a body was. */
export const OMITTED = '[omitted: LOG_MESSAGE_BODIES]';

/** Whether a redacted path ends in a body key (else it is a secret's path). */
export const isBodyPath = (path: readonly string[]) => BODY_KEY_SET.has(path.at(-1) ?? '');

/** A body's replacement: counts and flags are kept, anything else is omitted. */
export const censorBody = (value: unknown) =>
  typeof value === 'number' || typeof value === 'boolean' ? value : OMITTED;

/**
 * A library's line (Slack's SDKs, Bolt, Anthropic's SDK: they log with `lib`) without its payload.
 * They write request and response payloads as JSON after a description ("http request result:
 * {…}", "Received a message on the WebSocket: {…}", "ack() call begins (body: …)"); the
 * description is kept, the payload cut.
 */
export function withoutPayload(message: string): string {
  const at = message.search(/[{[]|\(will ignore\): /);
  return at < 0 ? message : `${message.slice(0, at)}${OMITTED}`;
}

/** pino's logMethod hook: cuts the payload out of the message of every line logged with `lib`. */
export function cutLibraryPayloads(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
  const [first, second] = args as unknown[];
  const message = typeof first === 'string' ? 0 : typeof second === 'string' ? 1 : -1;
  const lib =
    (typeof first === 'object' && first !== null && 'lib' in first) || this.bindings().lib !== undefined;
  if (message < 0 || !lib) {
    method.apply(this, args);
    return;
  }
  const cut = [...(args as unknown[])];
  cut[message] = withoutPayload(cut[message] as string);
  method.apply(this, cut as Parameters<LogFn>);
}

/**
 * Parsers for one setting's text. Each takes the value as given (never empty: an empty value counts
 * as unset) and returns it typed, or throws an Invalid whose message says what is expected.
 */

/** The value of a setting is malformed; the message says what is expected (the name is added later). */
export class Invalid extends Error {
  override name = 'Invalid';
}

/** Turns a setting's text into its typed value, or throws Invalid. */
export type Parser<T> = (text: string) => T;

/** The log levels pino knows, plus silent. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** LOG_LEVEL's values. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** true/false, 1/0 or yes/no. */
export const bool: Parser<boolean> = (v) => {
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new Invalid('expected true or false');
};

/** A whole number from `min` to `max`. */
export const int =
  (min = 1, max = Number.MAX_SAFE_INTEGER): Parser<number> =>
  (v) => {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new Invalid(`expected a whole number from ${min} to ${max}, got "${v}"`);
    }
    return n;
  };

/** Any text. */
export const text: Parser<string> = (v) => v;

/** Text that must match `re`, or `expected` is the message. */
export const matching =
  (re: RegExp, expected: string): Parser<string> =>
  (v) => {
    if (!re.test(v)) throw new Invalid(expected);
    return v;
  };

/** One of `values`; `expected` names them for people. */
export const oneOf =
  <const T extends readonly string[]>(values: T, expected?: string): Parser<T[number]> =>
  (v) => {
    if (!values.includes(v))
      throw new Invalid(expected ?? `expected one of ${values.join(', ')}, got "${v}"`);
    return v as T[number];
  };

/** An http(s) URL. */
export const httpUrl = matching(/^https?:\/\/[^\s]+$/, 'expected an http(s) URL');

/** An http(s) URL that ends with a slash, as a base URL for API methods. */
export const baseUrl: Parser<string> = (v) => {
  const url = httpUrl(v);
  return url.endsWith('/') ? url : `${url}/`;
};

/**
 * A comma-separated list of Slack ids (`T012ABC,T034DEF`); unset (the default, empty) = no
 * restriction. A value given that holds no id (`,`) is refused: for an allow-list, reading it as
 * "no restriction" would open the bot to everyone.
 */
export const idList =
  (what: string, example: string): Parser<string[]> =>
  (v) => {
    if (!/^[\sA-Z0-9,]*$/.test(v))
      throw new Invalid(`expected Slack ${what} separated by commas (${example})`);
    const ids = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (ids.length === 0 && v.trim() !== '')
      throw new Invalid(`expected Slack ${what} separated by commas (${example}), got none`);
    return ids;
  };

/** A proxy's address: http://host:port (or https://), credentials allowed. */
export const proxyUrl = matching(/^https?:\/\/[^\s/]+\/?$/, 'expected http://host:port (or https://…)');

/** A secret: not a placeholder from .env.example, and starting with `prefix` when given. */
export const secret =
  (isPlaceholder: (v: string) => boolean, prefix?: string): Parser<string> =>
  (v) => {
    if (isPlaceholder(v)) throw new Invalid('still has the placeholder value from .env.example');
    if (prefix !== undefined && !v.startsWith(prefix)) {
      throw new Invalid(`expected a value starting with "${prefix}"`);
    }
    return v;
  };

/** Adapts a parser that returns an error text instead of throwing (such as parsePrices). */
export const fromResult =
  <T>(parse: (v: string) => T | string): Parser<T> =>
  (v) => {
    const r = parse(v);
    if (typeof r === 'string') throw new Invalid(r);
    return r;
  };

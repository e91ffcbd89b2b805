/** The channel memory's commands, as people type them after the bot's mention. */

import { MAX_FACT_CHARS } from './facts.js';

export type MemoryCommand =
  | { kind: 'remember'; fact: string }
  | { kind: 'list' }
  | { kind: 'forget'; what: string }
  | { kind: 'forgetAll' };

const REMEMBER = /^remember(?:\s+that\b|\s*:)\s*([\s\S]*)$/i;
const LIST =
  /^(?:what do you remember|what have you remembered|list (?:your )?memor(?:y|ies)|memory|memories)(?:\s+(?:here|in this channel|about this channel))?\s*[?.!]*$/i;
const FORGET_ALL = /^forget (?:everything|all(?: facts)?)(?: here| in this channel)?\s*[.!]*$/i;
const FORGET = /^forget(?:\s+that\b|\s*:)?\s+([\s\S]+)$/i;

/** The command in the words addressed to the bot (see addressedWords), or undefined when none. */
export function parseMemoryCommand(words: string): MemoryCommand | undefined {
  const remember = REMEMBER.exec(words);
  if (remember) return { kind: 'remember', fact: remember[1] ?? '' };
  if (LIST.test(words)) return { kind: 'list' };
  if (FORGET_ALL.test(words)) return { kind: 'forgetAll' };
  const forget = FORGET.exec(words);
  if (forget) return { kind: 'forget', what: (forget[1] ?? '').trim() };
  return undefined;
}

/**
 * Which fact "forget …" names: a number from the list (`2`, `#2`), else the one fact that is the
 * text or contains it (case ignored). `many` lists the numbers when several contain it.
 */
export function findFact(
  facts: readonly { text: string }[],
  what: string,
): { index: number } | { many: number[] } | undefined {
  const n = /^#?(\d{1,3})[.!]?$/.exec(what.trim());
  if (n) {
    const i = Number(n[1]) - 1;
    return i >= 0 && i < facts.length ? { index: i } : undefined;
  }
  // No fact is longer than MAX_FACT_CHARS: a longer text matches none (and costs no more work).
  if (what.length > MAX_FACT_CHARS * 2) return undefined;
  const norm = (s: string) => trimEndPunctuation(s.toLowerCase().replace(/\s+/g, ' ')).trim();
  const wanted = norm(what);
  if (!wanted) return undefined;
  const exact = facts.findIndex((f) => norm(f.text) === wanted);
  if (exact >= 0) return { index: exact };
  const hits = facts.flatMap((f, i) => (norm(f.text).includes(wanted) ? [i] : []));
  if (hits.length === 1) return { index: hits[0] as number };
  return hits.length > 1 ? { many: hits.map((i) => i + 1) } : undefined;
}

/**
 * Without the final run of `.`, `!` and `?`, in one pass from the end (an unanchored regex such as
 * `/[.!?]+$/` retries from every position and is quadratic on a long run of dots).
 */
function trimEndPunctuation(s: string): string {
  let end = s.length;
  while (end > 0 && '.!?'.includes(s.charAt(end - 1))) end--;
  return s.slice(0, end);
}

/**
 * The channel memory's commands, as people type them after the bot's mention: in English
 * everywhere, and in German and Japanese where the words cannot be the start of a question
 * ("merke dir, dass …", "覚えて：…" need the "dass" or the colon, as "remember" needs "that").
 */

import type { Language } from '../language.js';
import { MAX_FACT_CHARS } from './facts.js';

export type MemoryCommand = (
  | { kind: 'remember'; fact: string }
  | { kind: 'list' }
  | { kind: 'forget'; what: string }
  | { kind: 'forgetAll' }
) & {
  /** The language of the command's words, when not English: the reply speaks it. */
  lang?: Language;
};

const REMEMBER = /^remember(?:\s+that\b|\s*:)\s*([\s\S]*)$/i;
const LIST =
  /^(?:what do you remember|what have you remembered|list (?:your )?memor(?:y|ies)|memory|memories)(?:\s+(?:here|in this channel|about this channel))?\s*[?.!]*$/i;
const FORGET_ALL = /^forget (?:everything|all(?: facts)?)(?: here| in this channel)?\s*[.!]*$/i;
const FORGET = /^forget(?:\s+that\b|\s*:)?\s+([\s\S]+)$/i;

/** German: "merke dir, dass …", "was hast du dir gemerkt?", "vergiss 2", "vergiss alles". */
// One way to split each run of spaces: `\s*,?\s*` would try every split of a long run (quadratic).
const REMEMBER_DE = /^merke?\s+dir(?:\s*(?:,\s*)?dass\b|\s*:)\s*([\s\S]*)$/i;
const LIST_DE = /^(?:was hast du dir gemerkt|was merkst du dir)(?:\s+(?:hier|in diesem channel))?\s*[?.!]*$/i;
const FORGET_ALL_DE = /^vergiss alles(?: hier| in diesem channel)?\s*[.!]*$/i;
// `\S` after the spaces: "vergiss  nicht" cannot give a space back to pass the "nicht" guard.
const FORGET_DE = /^vergiss(?:\s*(?:,\s*)?dass\b|\s*:)?\s+(?!nicht\b)(\S[\s\S]*)$/i;

/** Japanese: "覚えて：…", "何を覚えてる？", "忘れて 2" or "2を忘れて", "全部忘れて". */
const REMEMBER_JA = /^覚えて(?:おいて)?(?:ください)?\s*[:：]\s*([\s\S]*)$/;
const LIST_JA = /^(?:何を覚えて(?:る|いる|います)(?:か|の)?|覚えていること)\s*[?？.。!！]*$/;
const FORGET_ALL_JA = /^(?:全部|すべて|全て)忘れて(?:ください)?\s*[.。!！]*$/;
const FORGET_JA = /^忘れて(?:ください)?(?:\s*[:：]\s*|\s+)([\s\S]+)$/;
const FORGET_JA_AFTER = /^([\s\S]+?)を忘れて(?:ください)?\s*[.。!！]*$/;

/** The command in the words addressed to the bot (see addressedWords), or undefined when none. */
export function parseMemoryCommand(words: string): MemoryCommand | undefined {
  return (
    commandIn(words, REMEMBER, LIST, FORGET_ALL, [FORGET]) ??
    withLang(commandIn(words, REMEMBER_DE, LIST_DE, FORGET_ALL_DE, [FORGET_DE]), 'de') ??
    withLang(commandIn(words, REMEMBER_JA, LIST_JA, FORGET_ALL_JA, [FORGET_JA, FORGET_JA_AFTER]), 'ja')
  );
}

function commandIn(
  words: string,
  remember: RegExp,
  list: RegExp,
  forgetAll: RegExp,
  forget: RegExp[],
): MemoryCommand | undefined {
  const r = remember.exec(words);
  if (r) return { kind: 'remember', fact: r[1] ?? '' };
  if (list.test(words)) return { kind: 'list' };
  if (forgetAll.test(words)) return { kind: 'forgetAll' };
  for (const f of forget) {
    const m = f.exec(words);
    if (m) return { kind: 'forget', what: (m[1] ?? '').trim() };
  }
  return undefined;
}

const withLang = (cmd: MemoryCommand | undefined, lang: Language) => (cmd ? { ...cmd, lang } : undefined);

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
  // "forget it", "vergiss es", "それを忘れて" are "never mind", never a part of some fact.
  if (wanted.length < 3 || PRONOUNS.has(wanted)) return undefined;
  const hits = facts.flatMap((f, i) => (containsWords(norm(f.text), wanted) ? [i] : []));
  if (hits.length === 1) return { index: hits[0] as number };
  return hits.length > 1 ? { many: hits.map((i) => i + 1) } : undefined;
}

/** Words that point at something said before, in the languages with command words. */
const PRONOUNS = new Set([
  'it',
  'this',
  'that',
  'them',
  'es',
  'das',
  'dies',
  'dieses',
  'それ',
  'これ',
  'あれ',
]);

/** A letter or digit of a script written with spaces between words. */
const SPACED = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]/u;
const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * `part` in `text` as whole words where words are spaced ("es" is not in "Tuesdays"), anywhere
 * in scripts without spaces. Both are at most a few hundred characters (MAX_FACT_CHARS).
 */
function containsWords(text: string, part: string): boolean {
  const startBound = SPACED.test(part.charAt(0));
  const endBound = SPACED.test(part.charAt(part.length - 1));
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
    const before = text.charAt(at - 1);
    const after = text.charAt(at + part.length);
    if ((!startBound || !before || !WORDLIKE.test(before)) && (!endBound || !after || !WORDLIKE.test(after)))
      return true;
  }
  return false;
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

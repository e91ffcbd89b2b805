/** What workspace search says besides Claude's answers; its notes come from the language table. */
import { type SearchOff, type SearchTexts, TEXTS } from '../language.js';

/** Why workspace search is off for an answer: the app, the person's event, or Slack at the time. */
export type { SearchOff } from '../language.js';

/** The one line under an answer given from the thread alone, saying why (in the asker's language). */
export function searchOffText(why: SearchOff, t: SearchTexts = TEXTS.en.search): string {
  return t.off(why);
}

/** Under an answer whose model still wanted to search when the answer's searches were used up. */
export function searchCutText(maxSearches: number, t: SearchTexts = TEXTS.en.search): string {
  return t.cut(maxSearches);
}

/** The status while Claude searches the workspace: a compact line, never the raw input. */
export function searchingStatus(query: string): string {
  const plain = query
    .slice(0, 240)
    .replace(/[\s<>&]+/g, ' ')
    .trim();
  return `is searching Slack for “${plain.length > 60 ? `${plain.slice(0, 59)}…` : plain}”…`;
}

/** What Claude reads in place of a message it may link but not quote. */
export const WITHHELD_TEXT =
  'A message from a conversation not everyone who reads this answer can read. Its content is withheld: do not guess it; you may say that a related private message is linked under the answer.';

/** Title of such a message, in the Sources list and for Claude. */
export const WITHHELD_TITLE = 'a private conversation';

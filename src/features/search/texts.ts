/** What workspace search says besides Claude's answers. */

/** Why workspace search is off for an answer: the app, the person's event, or Slack at the time. */
export type SearchOff = 'no_scope' | 'no_token' | 'not_kept' | 'token_refused' | 'failed';

const WHY: Record<SearchOff, string> = {
  no_scope:
    'this app is not allowed to search Slack (it lacks the `search:read` scopes: an admin can reinstall it from manifest.yml)',
  no_token:
    'Slack gave no search permission with your message (it gives one only to people of this workspace, for their own messages)',
  not_kept:
    'your message was answered after a restart, and the search permission that came with it is not kept while a question waits',
  token_refused:
    'Slack no longer accepted the search permission of your message (it lasts only a short while)',
  failed: 'Slack’s search did not answer',
};

/** The one line under an answer given from the thread alone, saying why. */
export function searchOffText(why: SearchOff): string {
  return `_Workspace search is off for this answer: ${WHY[why]}. I answered from this thread._`;
}

/** Under an answer whose model still wanted to search when the answer's searches were used up. */
export function searchCutText(maxSearches: number): string {
  return `_I stopped searching at this answer’s limit of ${maxSearches} ${maxSearches === 1 ? 'search' : 'searches'}._`;
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

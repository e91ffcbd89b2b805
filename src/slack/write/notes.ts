import type { ReplyTexts } from './sink.js';

/** Marks written under an answer that did not end on its own. */

/** Appended to an answer that broke off after some text was shown. */
export const INTERRUPTED_NOTE = '_…the answer was interrupted here. Please ask again for the rest._';

/** Marks an answer the person stopped with Slack's stop button. */
export const STOPPED_NOTE = '_(stopped)_';

/** A reply's words when its feature gives none. */
export const ENGLISH_REPLY_TEXTS: ReplyTexts = {
  interrupted: INTERRUPTED_NOTE,
  stopped: STOPPED_NOTE,
  goodAnswer: 'Good answer',
  badAnswer: 'Bad answer',
};

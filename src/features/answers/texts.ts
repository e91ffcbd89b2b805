/** What the answers feature says besides Claude's answers. */

/** The reply to a message with nothing to answer (see AnswerJob.blank). */
export const BLANK_TEXT: Record<'mention' | 'file', string> = {
  mention: 'What can I help with? Ask your question in the same message as the mention.',
  file: 'I can’t open files yet. Tell me in words what you would like to know.',
};

/** The reply to a message too long for the context budget, with both sizes. */
export function messageTooLongText(tokens: number, budget: number): string {
  return `Your message is too long for me to read (about ${tokens.toLocaleString('en-US')} tokens; I can take about ${budget.toLocaleString('en-US')}). Please shorten it or split it into parts.`;
}

/** Opens an answer that replaces what a replica that stopped had begun to write. */
export const CONTINUED_NOTE = '_(continued after a restart)_\n\n';

/** A question taken over later than JOB_MAX_AGE_SECONDS: not answered late without a word. */
export const LOST_TRACK_TEXT =
  ':hourglass: Sorry, I lost track of this question while restarting. Please ask again.';

import { ClaudeError, type ClaudeErrorKind } from '../../claude/errors.js';
import { QueueFullError } from '../../limits/queue.js';

/** What people read when something goes wrong: short, plain, with what to do next. */
export const ERROR_TEXT: Record<ClaudeErrorKind | 'busy' | 'internal' | 'restarting', string> = {
  rate_limited:
    'Claude is getting more requests than this workspace’s plan allows right now. Please try again in a minute.',
  overloaded: 'Claude is overloaded at the moment. Please try again in a few minutes.',
  timeout: 'Claude took too long to answer. Please try again, or ask a shorter question.',
  invalid_request: 'Claude could not process this request. Try rephrasing it.',
  too_long:
    'This conversation is too long for me to read at once. Start a new thread, or ask for a summary instead.',
  auth: 'I can’t reach Claude: the bot’s API key was rejected. Please tell whoever runs this bot.',
  unavailable: 'Claude is unavailable right now. Please try again in a few minutes.',
  interrupted: 'The answer was interrupted before it finished. Please ask again.',
  busy: 'I’m busy with other questions right now. Please try again in a minute.',
  internal: 'Something went wrong on my side. Please try again.',
  restarting: 'I’m restarting and could not finish this answer. Please ask again in a moment.',
};

/** Adds the reference people can quote to whoever runs the bot. */
export function withReference(text: string, ref: string): string {
  return `:warning: ${text}\n_Reference: ${ref}_`;
}

/** Appended to an answer that broke off after some text was shown. */
export const INTERRUPTED_NOTE = '_…the answer was interrupted here. Please ask again for the rest._';

/**
 * What people are told of a failure: Claude's errors by their kind, a full queue as busy, anything
 * else as a fault of ours. The one mapping every feature uses; `kind` goes to logs and metrics.
 */
export function failureOf(err: unknown): { kind: ClaudeErrorKind | 'busy' | 'internal'; text: string } {
  if (err instanceof ClaudeError) return { kind: err.kind, text: ERROR_TEXT[err.kind] };
  if (err instanceof QueueFullError) return { kind: 'busy', text: ERROR_TEXT.busy };
  return { kind: 'internal', text: ERROR_TEXT.internal };
}

/** Marks an answer the person stopped with Slack's stop button. */
export const STOPPED_NOTE = '_(stopped)_';

import { ClaudeError } from '../claude/errors.js';
import { QueueFullError } from '../limits/queue.js';
import { type AskFailure, AskRefused } from './types.js';

/** The abort reason of a question the person stopped (Slack's stop button). */
export const STOPPED = Symbol('stopped by the person');

/**
 * The one model of what went wrong on a question's way: the person stopped it, the process is
 * shutting down, the question could not be asked, Claude's error by its kind, a full line, or a
 * fault of ours. `cause` keeps the error for logs (and for a feature that knows more of it).
 */
export function failureOf(err: unknown, signal?: AbortSignal): AskFailure {
  if (signal?.aborted) return { kind: signal.reason === STOPPED ? 'stopped' : 'restarting' };
  if (err instanceof AskRefused) return { kind: 'refused', code: err.code, text: err.text };
  if (err instanceof ClaudeError)
    return { kind: err.kind, cause: err, ...(err.requestId ? { requestId: err.requestId } : {}) };
  if (err instanceof QueueFullError) return { kind: 'busy', cause: err };
  return { kind: 'internal', cause: err };
}

import type { AskPipeline } from '../../ask/pipeline.js';
import type { AskFailure, AskSink } from '../../ask/types.js';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import type { ReplySink } from '../../slack/write/reply.js';
import { failureText } from '../failure-text.js';
import { type QuestionDeps, readQuestion } from './question.js';
import { BLANK_TEXT, fileNotesText, queuedText, stopNote, toolStatus } from './texts.js';

export interface AnswerDeps extends QuestionDeps {
  pipeline: AskPipeline;
  log: Logger;
}

/** How an answer ended, for metrics: `errorKind` names a failure, `source` where the text came from. */
export interface AnswerOutcome {
  ok: boolean;
  source?: string;
  errorKind?: string;
}

/**
 * Answers a mention or DM in its thread: the thread becomes Claude's request and the answer is
 * streamed into the reply. The shared pipeline does the rest. Never throws: failures are said.
 */
export async function answer(job: AnswerJob, reply: ReplySink, deps: AnswerDeps): Promise<AnswerOutcome> {
  const at = { ref: job.eventId, channel: job.place.channelId, user: job.userId };
  if (job.blank) {
    // Nothing to ask Claude: a prompt costs no call, no budget and no history read.
    reply.append(BLANK_TEXT[job.blank]);
    await reply.finish().catch((err) => deps.log.warn({ ...at, err }, 'could not post the prompt'));
    return { ok: false, errorKind: 'no_question' };
  }
  const started = Date.now();
  const input = { ref: job.eventId, userId: job.userId, where: job.place, lane: 'question' as const };
  const outcome = await deps.pipeline.run(
    { ...input, signal: deps.signal, onWaiting: deps.onWaiting },
    replySink(reply, job, deps.botName),
    async (s) => {
      const q = await readQuestion(job, s, reply, deps);
      if (!q) return undefined;
      try {
        const a = await s.claude(q.request, { onText: (d) => reply.append(d) });
        reply.offerFeedback?.(s.profile.name);
        const note = stopNote(a.stopReason, job.place.kind);
        if (note) reply.append(`\n\n${note}`);
        if (q.fileNotes?.length) reply.append(`\n\n${fileNotesText(q.fileNotes)}`);
      } finally {
        // Claude is done with it: writing the rest to Slack needs no turn, so the next may start.
        s.leaveLine();
        q.release?.();
      }
      await reply.finish();
      return q;
    },
  );
  if (!outcome.ok) return { ok: false, errorKind: kindOf(outcome.failure) };
  const q = outcome.value;
  if (!q) return { ok: false, errorKind: 'no_question' };
  const a = outcome.calls[0];
  deps.log.info(
    {
      ...at,
      source: a?.source,
      ms: Date.now() - started,
      messages: q.messages,
      omitted: q.omitted,
      inputTokens: a?.usage?.inputTokens,
      outputTokens: a?.usage?.outputTokens,
      cacheReadTokens: a?.usage?.cacheReadTokens,
      claudeRequestId: a?.requestId,
      stopReason: a?.stopReason,
    },
    'answered',
  );
  return { ok: true, ...(a ? { source: a.source } : {}) };
}

/** The pipeline's reports, written into the reply in the thread. */
function replySink(reply: ReplySink, job: AnswerJob, botName: string): AskSink {
  return {
    status: (s) =>
      void reply
        .thinking(
          s.kind === 'queued' ? queuedText(s.ahead) : s.kind === 'tool' ? toolStatus(s.activity) : undefined,
        )
        .catch(() => {}),
    fail: (f) =>
      // The person pressed stop: what was written stays, marked stopped; no error, no reference.
      f.kind === 'stopped'
        ? (reply.stopped?.() ?? Promise.resolve())
        : reply.fail(failureText(f, job.eventId, botName)),
  };
}

/** The metrics' name of a failure. */
function kindOf(f: AskFailure): string {
  if (f.kind === 'budget') return 'user_limit';
  if (f.kind === 'refused') return f.code;
  return f.kind;
}

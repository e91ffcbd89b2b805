import type { AskPipeline } from '../../ask/pipeline.js';
import { askWithLent, type ToolLender } from '../../ask/tool-loop.js';
import { type AskFailure, AskRefused, type AskSink } from '../../ask/types.js';
import { chooseModel, looksLikeModel, MODEL_ALIASES } from '../../claude/models.js';
import type { ClaudeProfile } from '../../claude/profile.js';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import type { ReplySink } from '../../slack/write/reply.js';
import { failureText } from '../failure-text.js';
import { type BotTexts, localeWithin, TEXTS, textsFor } from '../language.js';
import { type QuestionDeps, readQuestion } from './question.js';
import {
  BLANK_TEXT,
  chosenModelNote,
  fileNotesText,
  modelNotAllowedText,
  queuedText,
  stopNote,
  toolStatus,
} from './texts.js';

export interface AnswerDeps extends QuestionDeps {
  pipeline: AskPipeline;
  log: Logger;
  /** The asker's Slack locale (`de-DE`), for the bot's own words; English when unknown. */
  localeOf?: (userId: string) => Promise<string | undefined>;
  /** Client tools other features lend answers (workspace search), as the profile turns them on. */
  tools?: ToolLender;
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
  // The asker's language for the bot's own words, looked up beside the work (a cached users.info).
  const lang: { texts: BotTexts; locale?: string } = { texts: TEXTS.en };
  const spoken = localeWithin(deps.localeOf?.(job.userId)).then(
    (locale) => {
      lang.texts = textsFor(locale);
      lang.locale = locale;
      reply.speak?.(lang.texts);
    },
    () => {},
  );
  const input = { ref: job.eventId, userId: job.userId, where: job.place, lane: 'question' as const };
  const outcome = await deps.pipeline.run(
    { ...input, signal: deps.signal, onWaiting: deps.onWaiting },
    replySink(reply, job, deps.botName, lang, spoken),
    async (s) => {
      const chosen = await modelOf(job, s.profile, spoken, lang);
      const q = await readQuestion(job, s, reply, deps, chosen);
      if (!q) return undefined;
      try {
        const asker = {
          ref: job.eventId,
          ...job.place,
          actionToken: job.actionToken,
          ...(job.actionTokenNotKept ? { actionTokenNotKept: true } : {}),
        };
        const lent = deps.tools?.(asker, s.profile, (t) => void reply.thinking(t).catch(() => {}));
        const { answer: a, cut } = await askWithLent(s, q.request, lent, (d) => reply.append(d));
        reply.offerFeedback?.(s.profile.name);
        await spoken;
        const closing = lent?.closing(a, cut, lang.locale);
        const note = stopNote(a.stopReason, job.place.kind, lang.texts);
        if (note) reply.append(`\n\n${note}`);
        if (q.partial) reply.append(`\n\n${lang.texts.partialThread}`);
        if (chosen) {
          // Under the answer in small print where the sink has it, else as its last line.
          if (reply.footnote) reply.footnote(chosenModelNote(chosen, lang.texts));
          else reply.append(`\n\n_${chosenModelNote(chosen, lang.texts)}_`);
        }
        if (q.fileNotes?.length) reply.append(`\n\n${fileNotesText(q.fileNotes)}`);
        if (closing) reply.append(closing);
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

/**
 * The model the person chose for this question ("use opus: …") among the profile's `models`;
 * undefined when they chose none (or "use" named no model: "use python: …" is a question). A
 * model outside the list ends the question with a line naming the allowed ones, before any call,
 * in the asker's language.
 */
async function modelOf(
  job: AnswerJob,
  profile: ClaudeProfile,
  spoken: Promise<void>,
  lang: { texts: BotTexts },
): Promise<string | undefined> {
  if (!job.model) return undefined;
  const allowed = profile.models?.length ? [...new Set([profile.model, ...profile.models])] : [];
  if (!looksLikeModel(job.model, allowed)) return undefined;
  const chosen = chooseModel(job.model, allowed);
  if (chosen) return chosen;
  const aliases = MODEL_ALIASES.filter((a) => chooseModel(a, allowed));
  await spoken;
  throw new AskRefused(
    'model_not_allowed',
    modelNotAllowedText(job.model, allowed, profile.model, aliases, lang.texts),
  );
}

/** The pipeline's reports, written into the reply in the thread. */
function replySink(
  reply: ReplySink,
  job: AnswerJob,
  botName: string,
  lang: { texts: BotTexts },
  spoken: Promise<void>,
): AskSink {
  return {
    status: (s) =>
      void reply
        .thinking(
          s.kind === 'queued'
            ? queuedText(s.ahead, lang.texts)
            : s.kind === 'tool'
              ? toolStatus(s.activity)
              : undefined,
        )
        .catch(() => {}),
    fail: async (f) => {
      await spoken;
      // The person pressed stop: what was written stays, marked stopped; no error, no reference.
      if (f.kind === 'stopped') return reply.stopped?.();
      return reply.fail(failureText(f, job.eventId, botName, lang.texts));
    },
  };
}

/** The metrics' name of a failure. */
function kindOf(f: AskFailure): string {
  if (f.kind === 'budget') return 'user_limit';
  if (f.kind === 'refused') return f.code;
  return f.kind;
}

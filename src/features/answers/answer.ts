import type { ClaudeRequest, ClaudeUsage } from '../../claude/client.js';
import { ClaudeError } from '../../claude/errors.js';
import { buildRequest, systemText } from '../../claude/prompt.js';
import { estimateTokens } from '../../claude/tokens.js';
import type { AnswerSource, Traffic } from '../../limits/traffic.js';
import type { Logger } from '../../platform/logger.js';
import type { AnswerJob } from '../../slack/job.js';
import type { Conversation } from '../../slack/read/history.js';
import { ERROR_TEXT, failureOf, withReference } from '../../slack/write/error-text.js';
import type { ReplySink } from '../../slack/write/reply.js';
import { MessageTooLongError, trimToBudget } from './context.js';
import { BLANK_TEXT, fileNotesText, messageTooLongText, stopNote, toolStatus } from './texts.js';

export interface AnswerDeps {
  /**
   * `waited`: the question waited its turn, so it is read as it stands now. `tokenBudget`: how much
   * of a long thread's newest end to read.
   */
  loadConversation(
    job: AnswerJob,
    opts: { waited: boolean; tokenBudget: number; onFilesWait?: () => void; signal?: AbortSignal },
  ): Promise<Conversation>;
  traffic: Traffic;
  log: Logger;
  botName: string;
  model: string;
  maxTokens: number;
  contextTokens: number;
  customPrompt: string | undefined;
  /** The channel's profile name and its server-side tools (CLAUDE_PROFILES_FILE). */
  profile?: string;
  tools?: ClaudeRequest['tools'];
  mcpServers?: ClaudeRequest['mcpServers'];
  /** How long the answer is reused (the profile's); default: CACHE_TTL_SECONDS. */
  cacheTtlSeconds?: number;
  /** Names already known for people (a mention of someone outside the conversation shows it). */
  nameOf?: (userId: string) => string | undefined;
  now?: () => Date;
  /** Aborted when the process shuts down before the answer finished. */
  signal?: AbortSignal;
  /**
   * Waits for this answer's turn before any work is done for it (see WaitingRoom); resolves with
   * the function that ends the turn (called once Claude's part is done).
   */
  waitTurn?(opts: { onQueued: (ahead: number) => void; signal?: AbortSignal }): Promise<() => void>;
}

export interface AnswerOutcome {
  ok: boolean;
  source?: AnswerSource;
  errorKind?: string;
  request?: ClaudeRequest;
  /** Tokens of the Claude call (none for cached or shared answers). */
  usage?: ClaudeUsage;
}

/**
 * Answers one question: loads the conversation, fits it to the budget, asks Claude through the
 * traffic path and streams the text to the sink. Never throws: every failure becomes a message.
 */
export async function answer(job: AnswerJob, sink: ReplySink, deps: AnswerDeps): Promise<AnswerOutcome> {
  const started = Date.now();
  const ref = job.eventId;
  // Bindings on each line, not a child logger: many answers wait long and most log twice at most.
  const at = { ref, channel: job.place.channelId, user: job.userId };
  const log = deps.log;
  if (job.blank) {
    // Nothing to ask Claude: a prompt costs no call and no history read.
    sink.append(BLANK_TEXT[job.blank]);
    await sink.finish().catch((err) => log.warn({ ...at, err }, 'could not post the prompt'));
    log.info({ ...at, blank: job.blank }, 'answered a message without a question');
    return { ok: false, errorKind: 'no_question' };
  }
  let firstTextAt: number | undefined;
  let request: ClaudeRequest | undefined;
  let endTurn: (() => void) | undefined;
  // Gives back the memory the conversation's files hold (FILES_MEMORY_MAX_BYTES).
  let releaseFiles: (() => void) | undefined;
  try {
    // A question that must wait is told its place at once; "is thinking…" comes with its turn.
    let waited = false;
    const told = queuedStatus(sink);
    const onQueued = (ahead: number) => {
      waited = true;
      told(ahead);
    };
    endTurn = await deps.waitTurn?.({ onQueued, signal: deps.signal });
    // Shown while the conversation is read and Claude is asked: the sink writes nothing before it.
    void sink.thinking().catch((err) => log.warn({ ...at, err }, 'could not show thinking status'));
    let waitedForFiles = false;
    const {
      messages: conversation,
      unread,
      fileNotes,
      release,
    } = await deps.loadConversation(job, {
      waited,
      tokenBudget: deps.contextTokens,
      onFilesWait: () => {
        waitedForFiles = true;
        // Waiting for memory is not a turn: the waiting room lets a question without files in.
        endTurn?.();
        endTurn = undefined;
        void sink.thinking('is waiting to read the files…').catch(() => {});
      },
      signal: deps.signal,
    });
    releaseFiles = release;
    if (waitedForFiles) void sink.thinking().catch(() => {});
    const asked = conversation.find((m) => m.ts === job.messageTs);
    // A DM's session is named once, by the question that starts its thread; replies keep the name.
    if (job.place.kind === 'dm' && job.messageTs === job.place.threadTs && asked?.text.trim())
      void sink.title?.(asked.text).catch(() => {});
    sink.allowMentions?.(
      conversation.flatMap((m) => (m.userId ? [m.userId] : [])),
      deps.nameOf,
    );
    const onlyUnread = asked && !asked.text.trim() && !asked.files?.length && asked.unreadFiles?.length;
    if (onlyUnread || !conversation.some((m) => !m.fromBot)) {
      // Nobody's words survived (the message was deleted, or only mentions and markup), or the
      // question is only files that could not be read: say so, and ask.
      sink.append(onlyUnread && fileNotes?.length ? fileNotesText(fileNotes) : BLANK_TEXT.mention);
      await sink.finish();
      return { ok: false, errorKind: 'no_question' };
    }
    const system = {
      botName: deps.botName,
      today: (deps.now?.() ?? new Date()).toISOString().slice(0, 10),
      where: job.place.kind,
    } as const;
    const systemTokens = estimateTokens(systemText(deps.customPrompt, system));
    const budget = Math.max(500, deps.contextTokens - systemTokens);
    const trimmed = trimToBudget(conversation, budget);
    // A long thread's older replies were never read: they are left out too.
    const omitted = trimmed.omitted + unread;
    request = buildRequest({
      ...common(deps),
      system,
      conversation: trimmed.messages,
      omitted,
      // Estimated once, as the conversation was trimmed: the queue reserves these.
      inputTokens: systemTokens + trimmed.tokens,
    });
    const result = await deps.traffic.ask(
      { teamId: job.place.teamId, channelId: job.place.channelId },
      request,
      (delta) => {
        firstTextAt ??= Date.now();
        sink.append(delta);
      },
      {
        onQueued: queuedStatus(sink),
        signal: deps.signal,
        cacheTtlSeconds: deps.cacheTtlSeconds,
        onTool: (activity) => void sink.thinking(toolStatus(activity)).catch(() => {}),
      },
    );
    sink.offerFeedback?.();
    const note = stopNote(result.result?.stopReason, job.place.kind);
    if (note) sink.append(`\n\n${note}`);
    if (fileNotes?.length) sink.append(`\n\n${fileNotesText(fileNotes)}`);
    // Claude is done with it: writing the rest to Slack needs no turn, so the next may start.
    endTurn?.();
    releaseFiles?.();
    await sink.finish();
    const u = result.result?.usage;
    log.info(
      {
        ...at,
        source: result.source,
        ms: Date.now() - started,
        firstTextMs: firstTextAt ? firstTextAt - started : undefined,
        messages: trimmed.messages.length,
        omitted,
        inputTokens: u?.inputTokens,
        outputTokens: u?.outputTokens,
        cacheReadTokens: u?.cacheReadTokens,
        claudeRequestId: result.result?.requestId,
        stopReason: result.result?.stopReason,
      },
      'answered',
    );
    return { ok: true, source: result.source, request, usage: u };
  } catch (err) {
    if (deps.signal?.aborted && deps.signal.reason === STOPPED) {
      // The person pressed stop: what was written stays, marked stopped; no error, no reference.
      log.info({ ...at, ms: Date.now() - started }, 'answer stopped by the person');
      await sink.stopped?.().catch((e) => log.warn({ ...at, err: e }, 'could not mark the answer stopped'));
      return { ok: false, errorKind: 'stopped', request };
    }
    let kind: string;
    let text: string;
    if (deps.signal?.aborted) {
      kind = 'restarting';
      text = ERROR_TEXT.restarting;
    } else if (err instanceof MessageTooLongError) {
      kind = 'message_too_long';
      text = messageTooLongText(err.tokens, err.budget);
    } else {
      ({ kind, text } = failureOf(err));
    }
    const claudeRef = err instanceof ClaudeError ? err.requestId : undefined;
    log.warn({ ...at, err, kind, ms: Date.now() - started, claudeRequestId: claudeRef }, 'answer failed');
    await sink
      .fail(withReference(text, ref))
      .catch((e) => log.error({ ...at, err: e }, 'could not post the error reply'));
    return { ok: false, errorKind: kind, request };
  } finally {
    endTurn?.();
    releaseFiles?.();
  }
}

/** Tells the person how many questions are ahead of theirs. */
function queuedStatus(sink: ReplySink) {
  return (ahead: number) =>
    void sink
      .thinking(ahead > 0 ? `is queued (${ahead} ahead of you)…` : 'is queued, next in line…')
      .catch(() => {});
}

function common(deps: AnswerDeps) {
  return {
    model: deps.model,
    maxTokens: deps.maxTokens,
    customPrompt: deps.customPrompt,
    tools: deps.tools,
    mcpServers: deps.mcpServers,
    profile: deps.profile,
  };
}

/** The abort reason of an answer the person stopped (Slack's stop button). */
export const STOPPED = Symbol('stopped by the person');
